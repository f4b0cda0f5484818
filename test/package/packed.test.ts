/**
 * prescient as a user's dependency: the package `npm pack` makes, installed into a new project.
 * On Node 20 the install warns of no unsupported engine; the README's library example type-checks
 * against the installed types and runs; `prescient gen mainnet` and `run` work from there; the
 * package root loads neither fastify nor lmdb nor piscina; and nothing is written under
 * node_modules (the caches go to the user's cache directory).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";
import { CONSUMER_TSCONFIG, readmeLibraryExample, withoutTime } from "../docs/markdown.js";

let work: string;
let project: string;
let home: string;
let install: SpawnSyncReturns<string>;
let installed: Map<string, string>;

function version(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/** npm itself: the one running this test when there is one, else the one on the PATH. */
function npm(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const cli = process.env.npm_execpath;
  const [command, argv] = cli !== undefined && cli.endsWith(".js") ? [process.execPath, [cli, ...args]] : ["npm", [...args]];
  return spawnSync(command, argv, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
}

/** Every file under `dir`, with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const s = statSync(p);
        out.set(relative(dir, p), `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

/** Run node in the project with a fresh HOME of its own (so the user's cache is `home/.cache`). */
function node(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const base: Record<string, string> = { ...(process.env as Record<string, string>), HOME: home, FORCE_COLOR: "0", ...env };
  delete base.PRESCIENT_CACHE_DIR;
  delete base.XDG_CACHE_HOME;
  delete base.PRESCIENT_CACHE;
  delete base.PRESCIENT_TRACES_DIR;
  return spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", env: base });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "prescient-packed-"));
  project = join(work, "my-sequencer");
  home = join(work, "home");
  mkdirSync(project);
  mkdirSync(home);
  // The build is current: npm test compiles before it runs the suite.
  const pack = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(work, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-sequencer", version: "1.0.0", private: true, type: "module" }));
  install = npm(
    ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, `typescript@${version("typescript")}`, `@types/node@${version("@types/node")}`],
    project,
  );
  expect(install.status, install.stderr).toBe(0);
  installed = snapshot(join(project, "node_modules"));
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("the packed package in a new project", () => {
  it("installs on this Node without an unsupported-engine warning, with its docs and no bench scripts or source maps", () => {
    expect(install.stdout + install.stderr).not.toMatch(/EBADENGINE|Unsupported engine/);
    const pkg = join(project, "node_modules", "prescient");
    for (const f of ["LICENSE", "README.md", "CHANGELOG.md", "docs/library.md", "contracts/samples/token.ts", "data/mainnet-access-traces/13217637.json.gz"]) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    const shipped = [...snapshot(pkg).keys()];
    expect(shipped.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(shipped.filter((f) => /^dist\/bench\/(stress|analyze|schedule)\./.test(f))).toEqual([]);
    expect(shipped.filter((f) => f.startsWith("test/") || f.startsWith("contracts/runtime/") || f.startsWith("contracts/sdk/"))).toEqual([]);
  });

  it("runs the README's library example, type-checked against the installed types", () => {
    const { code, shown } = readmeLibraryExample();
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG));
    writeFileSync(join(project, "sequencer.ts"), code);
    const tsc = node([join(project, "node_modules", "typescript", "bin", "tsc"), "-p", project]);
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const run = node([join(project, "sequencer.js")]);
    expect(run.status, run.stderr).toBe(0);
    expect(withoutTime(run.stdout.trim().split("\n"))).toEqual(withoutTime(shown));
  });

  it("`prescient gen mainnet` and `run` work from the installed package", () => {
    const bin = join(project, "node_modules", "prescient", "bin", "prescient.js");
    const gen = node([bin, "gen", "mainnet", "--out", join(project, "mainnet")]);
    expect(gen.status, gen.stderr).toBe(0);
    const run = node([bin, "run", "--block", join(project, "mainnet", "block.json"), "--genesis", join(project, "mainnet", "genesis.json"), "--mode", "hybrid", "--threads", "2", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { receipts: unknown[] }).receipts.length).toBe(1100);
    // The caches were filled, in the user's cache directory.
    expect(readdirSync(join(home, ".cache", "prescient", "contracts")).length).toBeGreaterThan(0);
  });

  it("the package root loads neither fastify nor lmdb nor piscina; their entry points do", () => {
    const loaded = (entry: string): string[] => {
      const log = join(work, `imports-${entry.replace(/\W/g, "_")}.log`);
      const r = node(["--import", join(ROOT, "test", "fixtures", "recordImports.mjs"), "--input-type=module", "-e", `await import(${JSON.stringify(entry)});`], {
        PRESCIENT_IMPORT_LOG: log,
      });
      expect(r.status, r.stderr).toBe(0);
      const urls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
      return [...new Set(urls.map((u) => /\/node_modules\/(fastify|lmdb|piscina)\//.exec(u)![1]!))].sort();
    };
    expect(loaded("prescient")).toEqual([]);
    expect(loaded("prescient/analyzer")).toEqual([]);
    expect(loaded("prescient/executor")).toEqual(["piscina"]);
    expect(loaded("prescient/state")).toEqual(["lmdb"]);
    expect(loaded("prescient/service")).toEqual(["fastify", "lmdb", "piscina"]);
  });

  it("writes nothing under node_modules", () => {
    // Last in this file: every command above has run by now.
    expect(snapshot(join(project, "node_modules"))).toEqual(installed);
  });
});
