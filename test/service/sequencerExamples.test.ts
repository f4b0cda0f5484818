/**
 * The README's "How a sequencer calls prescient" examples run as printed, and print what the
 * README says they print. (The HTTP example's requests are each covered by endpoints.test.ts.)
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, cli } from "../helpers.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const start = readme.indexOf("## How a sequencer calls prescient");
const section = readme.slice(start, readme.indexOf("\n## ", start + 1));

/** The fenced blocks of the section, in order, with their language. */
function blocks(): { lang: string; text: string }[] {
  return Array.from(section.matchAll(/```(\w*)\n([\s\S]*?)```/g), (m) => ({ lang: m[1]!, text: m[2]! }));
}

describe("How a sequencer calls prescient", () => {
  it("the library example runs and prints what the README shows", () => {
    const all = blocks();
    const at = all.findIndex((b) => b.lang === "js");
    const code = all[at]!.text;
    const shown = all[at + 1]!.text.split("\n").filter((l) => l !== "" && !l.startsWith("$ "));
    // Inside the package, `import … from "prescient"` resolves to this build (a self-reference).
    const file = join(ROOT, `.sequencer-example-${process.pid}.mjs`);
    writeFileSync(file, code);
    try {
      const run = spawnSync(process.execPath, [file], { encoding: "utf8", cwd: ROOT });
      expect(run.status, run.stderr).toBe(0);
      const printed = run.stdout.trim().split("\n");
      expect(printed[0]).toBe(shown[0]);
      // The root is deterministic; the time is this machine's.
      expect(printed[1]!.replace(/, [\d.]+ ms\)$/, "")).toBe(shown[1]!.replace(/, [\d.]+ ms\)$/, ""));
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("the NDJSON example gives the batches the README shows", () => {
    const all = blocks();
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
