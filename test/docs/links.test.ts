/**
 * The manual holds together: every relative link in README.md, CHANGELOG.md and docs/*.md names a
 * file that exists, every `#anchor` a heading of the file it points to (GitHub's anchors), and the
 * README stays a short manual.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

const README_LIMIT = 15 * 1024;

function manualFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(ROOT, "docs", f));
  return [join(ROOT, "README.md"), join(ROOT, "CHANGELOG.md"), ...docs];
}

/** The text outside fenced code blocks and inline code spans, lines kept in place. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, " "))
    .replace(/`[^`\n]*`/g, (span) => " ".repeat(span.length));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
}

/** The anchors of a markdown file's headings (a repeated heading gets -1, -2…). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const lines = markdown.split("\n");
  let fence: string | undefined;
  for (const line of lines) {
    const f = /^(```|~~~)/.exec(line);
    if (f !== null) {
      if (fence === undefined) fence = f[1];
      else if (line.startsWith(fence)) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h === null) continue;
    const base = slug(h[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** The relative links and images of a markdown file (external ones are left out). */
function relativeLinks(file: string, markdown: string): Link[] {
  const links: Link[] = [];
  prose(markdown)
    .split("\n")
    .forEach((text, i) => {
      for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:…
        links.push({ file, line: i + 1, target });
      }
    });
  return links;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenReason(link: Link): string | undefined {
  const [path, anchor] = link.target.split("#", 2) as [string, string | undefined];
  const target = path === "" ? link.file : resolve(dirname(link.file), decodeURIComponent(path));
  if (!existsSync(target)) return `no file ${relative(ROOT, target)}`;
  if (anchor === undefined || anchor === "") return undefined;
  if (statSync(target).isDirectory() || !target.endsWith(".md")) return `an anchor into ${relative(ROOT, target)}, which is not a markdown file`;
  if (!anchors(readFileSync(target, "utf8")).has(decodeURIComponent(anchor))) return `no heading #${anchor} in ${relative(ROOT, target)}`;
  return undefined;
}

describe("the manual", () => {
  it("every relative link and anchor in README.md, CHANGELOG.md and docs/ resolves", () => {
    const files = manualFiles();
    const links = files.flatMap((f) => relativeLinks(f, readFileSync(f, "utf8")));
    expect(links.length).toBeGreaterThan(50);
    const broken = links.flatMap((l) => {
      const reason = brokenReason(l);
      return reason === undefined ? [] : [`${relative(ROOT, l.file)}:${l.line}: (${l.target}): ${reason}`];
    });
    expect(broken).toEqual([]);
  });

  it("the checker catches a missing file, a missing heading and an anchor into a folder", () => {
    const file = join(ROOT, "docs", "README.md");
    const text = "[a](missing.md) [b](contracts.md#no-such-heading) [c](../data#x) [d](contracts.md#limits) `[e](nowhere.md)`\n```\n[f](nowhere.md)\n```\n[g](https://example.com/x.md)";
    const links = relativeLinks(file, text);
    expect(links.map((l) => l.target)).toEqual(["missing.md", "contracts.md#no-such-heading", "../data#x", "contracts.md#limits"]);
    expect(links.map((l) => brokenReason(l) !== undefined)).toEqual([true, true, true, false]);
  });

  it("anchors follow GitHub's rules", () => {
    expect([...anchors("# What `prescient demo` does\n## The protocol: validate, execute, settle\n## Limits\n## Limits\n```\n# not a heading\n```\n")]).toEqual([
      "what-prescient-demo-does",
      "the-protocol-validate-execute-settle",
      "limits",
      "limits-1",
    ]);
    expect(slug("The speedup table (`prescient bench`)")).toBe("the-speedup-table-prescient-bench");
    expect(slug("Scheduling throughput and mainnet structure (`node dist/bench/schedule.js`)")).toBe(
      "scheduling-throughput-and-mainnet-structure-node-distbenchschedulejs",
    );
  });

  it("the README is a short manual", () => {
    expect(statSync(join(ROOT, "README.md")).size).toBeLessThanOrEqual(README_LIMIT);
  });
});
