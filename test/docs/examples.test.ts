/**
 * The manual's examples run as printed and print what the manual says they print: the README's
 * library example type-checks against the package's own types and runs; the NDJSON mempool example
 * of docs/scheduler.md gives the batches shown there. (The README's HTTP session is covered request
 * by request by test/service/endpoints.test.ts.)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, cli } from "../helpers.js";
import { CONSUMER_TSCONFIG, fencedBlocks, readmeLibraryExample, withoutTime } from "./markdown.js";

describe("the manual's examples", () => {
  it("the README's library example type-checks and prints what the README shows", () => {
    const { code, shown } = readmeLibraryExample();
    // A consumer project whose node_modules/prescient is this package.
    const dir = mkdtempSync(join(tmpdir(), "prescient-readme-example-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(ROOT, join(dir, "node_modules", "prescient"), "dir");
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "my-sequencer", type: "module", private: true }));
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({ ...CONSUMER_TSCONFIG, compilerOptions: { ...CONSUMER_TSCONFIG.compilerOptions, typeRoots: [join(ROOT, "node_modules", "@types")] } }),
      );
      writeFileSync(join(dir, "sequencer.ts"), code);
      const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
      expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
      const run = spawnSync(process.execPath, [join(dir, "sequencer.js")], { encoding: "utf8", cwd: dir });
      expect(run.status, run.stderr).toBe(0);
      expect(withoutTime(run.stdout.trim().split("\n"))).toEqual(withoutTime(shown));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the NDJSON example of docs/scheduler.md gives the batches it shows", () => {
    const all = fencedBlocks("docs/scheduler.md", "### As a stream");
    const at = all.findIndex((b) => b.lang === "sh" && b.text.includes("prescient mempool"));
    const lines = Array.from(all[at]!.text.matchAll(/'(\{.*\})'/g), (m) => m[1]!);
    expect(lines.length).toBeGreaterThan(0);
    const run = cli(["mempool"], `${lines.join("\n")}\n`);
    expect(run.status, run.stderr).toBe(0);
    const shown = all[at + 1]!.text.trim().split("\n");
    expect(run.stdout.trim().split("\n")).toEqual(shown.filter((l) => l.startsWith("{")));
    expect(run.stderr.trim()).toBe(shown.find((l) => l.startsWith("mempool:")));
  });
});
