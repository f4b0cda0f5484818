/** Reading the manual's markdown in tests: its sections' fenced blocks, the README's library example. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers.js";

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
