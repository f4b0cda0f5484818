/**
 * The manual's examples run as printed and print what the manual says they print: the README's
 * library example type-checks against the package's own types and runs; the NDJSON mempool example
 * of docs/scheduler.md gives the batches shown there. (The README's HTTP session is covered request
 * by request by test/service/endpoints.test.ts.)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, cli } from "../helpers.js";

/** The fenced blocks of a markdown section (from its heading to the next of its level), in order. */
export function fencedBlocks(file: string, heading: string): { lang: string; text: string }[] {
  const markdown = readFileSync(join(ROOT, file), "utf8");
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${file}: no section "${heading}"`);
  const level = heading.slice(0, heading.indexOf(" ") + 1);
  const end = markdown.indexOf(`\n${level}`, start + heading.length + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return Array.from(section.matchAll(/```(\w*)\n([\s\S]*?)```/g), (m) => ({ lang: m[1]!, text: m[2]! }));
}

/** The README's library example and the lines it shows as its output. */
export function readmeLibraryExample(): { code: string; shown: string[] } {
  const all = fencedBlocks("README.md", "## As a library");
  const at = all.findIndex((b) => b.lang === "ts");
  const shown = all[at + 1]!.text.split("\n").filter((l) => l !== "" && !l.startsWith("$ "));
  return { code: all[at]!.text, shown };
}

/** The compiler options the README tells a consumer to use. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, skipLibCheck: true },
  files: ["sequencer.ts"],
};

/** The example's two lines, the time left out (the root is deterministic; the time is this machine's). */
export function withoutTime(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/, [\d.]+ ms\)$/, ""));
}

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
