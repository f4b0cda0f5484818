/**
 * Caches live in the user's cache directory ($PRESCIENT_CACHE_DIR, $XDG_CACHE_HOME/prescient or
 * ~/.cache/prescient), never in the package or its node_modules, which may be read-only or a
 * project's dependency folder.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cacheDir, cacheRoot } from "../core/cacheDir.js";
import { CLI, ROOT } from "./helpers.js";

const SAVED = { own: process.env.PRESCIENT_CACHE_DIR, xdg: process.env.XDG_CACHE_HOME, off: process.env.PRESCIENT_CACHE };

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

afterEach(() => {
  restore("PRESCIENT_CACHE_DIR", SAVED.own);
  restore("XDG_CACHE_HOME", SAVED.xdg);
  restore("PRESCIENT_CACHE", SAVED.off);
});

/** Every file under `dir` with its modification time (empty when there is no such folder). */
function files(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), statSync(p).mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe("the cache directory", () => {
  it("is $PRESCIENT_CACHE_DIR, else $XDG_CACHE_HOME/prescient, else ~/.cache/prescient; off turns the caches off", () => {
    delete process.env.PRESCIENT_CACHE_DIR;
    delete process.env.XDG_CACHE_HOME;
    delete process.env.PRESCIENT_CACHE;
    expect(cacheRoot()).toBe(join(homedir(), ".cache", "prescient"));
    process.env.XDG_CACHE_HOME = "/var/cache/someone";
    expect(cacheRoot()).toBe("/var/cache/someone/prescient");
    expect(cacheDir("templates")).toBe("/var/cache/someone/prescient/templates");
    process.env.PRESCIENT_CACHE_DIR = "/srv/prescient-cache";
    expect(cacheDir("contracts")).toBe("/srv/prescient-cache/contracts");
    process.env.PRESCIENT_CACHE = "off";
    expect(cacheDir("contracts")).toBeUndefined();
  });

  it("a command fills the user's cache and writes nothing into the package", () => {
    const home = mkdtempSync(join(tmpdir(), "prescient-home-"));
    const inPackage = [join(ROOT, "node_modules", ".cache"), join(ROOT, ".cache")];
    const before = inPackage.map(files);
    try {
      const env: Record<string, string> = { ...(process.env as Record<string, string>), HOME: home, FORCE_COLOR: "0" };
      delete env.PRESCIENT_CACHE_DIR;
      delete env.XDG_CACHE_HOME;
      delete env.PRESCIENT_CACHE;
      const prescient = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env, cwd: home });
      const gen = prescient("gen", "defi", "--out", join(home, "b"), "--txs", "20");
      expect(gen.status, gen.stderr).toBe(0);
      const run = prescient("run", "--block", join(home, "b", "block.json"), "--genesis", join(home, "b", "genesis.json"), "--mode", "sequential");
      expect(run.status, run.stderr).toBe(0);
      const analyze = prescient("analyze");
      expect(analyze.status, analyze.stderr).toBe(0);
      const cache = join(home, ".cache", "prescient");
      // Both caches were filled: the compiled contracts and their access templates.
      expect(readdirSync(join(cache, "contracts")).filter((f) => f.endsWith(".json")).length).toBeGreaterThan(0);
      expect(readdirSync(join(cache, "templates")).filter((f) => f.endsWith(".json")).length).toBeGreaterThan(0);
      expect(inPackage.map(files)).toEqual(before);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
