/**
 * CI runs what the README tells a newcomer to run, no more: the commands of .ci/run are those of
 * the README's install block, after the clone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../helpers.js";
import { fencedBlocks } from "./markdown.js";

/** A shell text's commands: comments, blank lines and the shell's own settings left out. */
function commands(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").replace(/^#.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("set ") && !l.startsWith('cd "$(dirname'));
}

it(".ci/run runs exactly the README's install commands", () => {
  const install = fencedBlocks("README.md", "## Install").find((b) => b.lang === "sh" && b.text.includes("git clone"));
  expect(install, "the README's install block").toBeDefined();
  const readme = commands(install!.text).filter((c) => !c.startsWith("git clone"));
  expect(readme[0]).toMatch(/^cd /); // into the clone
  expect(commands(readFileSync(join(ROOT, ".ci", "run"), "utf8"))).toEqual(readme.slice(1));
});
