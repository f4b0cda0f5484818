/**
 * Loading contract sources into the analyzer: one ts-morph `Project` (in-memory file system,
 * ES2022 lib only, no dependency resolution: the analysis is syntactic and per module), lint,
 * derive templates, and cache them by source hash in memory and on disk beside the compile
 * cache, so a warm analysis never loads the TypeScript compiler.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Project } from "ts-morph";
import { ContractLoadError } from "../core/errors.js";
import { cacheDir } from "../core/cacheDir.js";
import { deriveTemplates } from "./derive.js";
import { lintOrThrow } from "./lint.js";
import { ANALYZER_VERSION, type ContractTemplates } from "./template.js";

let project: Project | undefined;
let tsNs: typeof import("ts-morph").ts | undefined;

async function getProject(): Promise<{ project: Project; ts: typeof import("ts-morph").ts }> {
  if (project === undefined || tsNs === undefined) {
    const morph = await import("ts-morph");
    tsNs = morph.ts;
    project = new morph.Project({
      useInMemoryFileSystem: true,
      skipFileDependencyResolution: true,
      skipLoadingLibFiles: true,
      compilerOptions: { target: morph.ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], noLib: true, types: [] },
    });
  }
  return { project, ts: tsNs };
}

export function templatesHash(source: string): string {
  return createHash("sha256").update(`analyzer:${ANALYZER_VERSION}`).update("\0").update(source).digest("hex");
}

function templatesDir(): string | undefined {
  return cacheDir("templates");
}

const memory = new Map<string, ContractTemplates>();

/** Lint and analyze one contract source (no cache). Throws ContractLoadError on a lint finding. */
export async function analyzeSource(source: string, file: string): Promise<ContractTemplates> {
  const { project: p, ts } = await getProject();
  const sf = p.createSourceFile(`/contracts/${createHash("sha1").update(file).digest("hex")}.ts`, source, { overwrite: true }).compilerNode;
  try {
    lintOrThrow(ts, sf, file);
    return deriveTemplates(ts, sf, file, templatesHash(source));
  } finally {
    const added = p.getSourceFile(sf.fileName);
    if (added !== undefined) p.removeSourceFile(added);
  }
}

/** The templates of a contract file, through the memory and disk caches. */
export async function loadTemplates(file: string): Promise<ContractTemplates> {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (error) {
    throw new ContractLoadError(`cannot read contract module ${file}: ${(error as Error).message}`);
  }
  const hash = templatesHash(source);
  const hit = memory.get(hash);
  if (hit !== undefined) return hit.file === file ? hit : { ...hit, file };
  const dir = templatesDir();
  const cached = dir === undefined ? undefined : join(dir, `${hash}.json`);
  if (cached !== undefined) {
    try {
      const fromDisk = { ...(JSON.parse(readFileSync(cached, "utf8")) as ContractTemplates), file };
      if (fromDisk.analyzerVersion === ANALYZER_VERSION) {
        memory.set(hash, fromDisk);
        return fromDisk;
      }
    } catch {
      // not cached yet
    }
  }
  const templates = await analyzeSource(source, file);
  memory.set(hash, templates);
  if (cached !== undefined && dir !== undefined) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(templates));
      renameSync(tmp, cached);
    } catch {
      // a read-only install still works, only colder
    }
  }
  return templates;
}

/** The `.ts` contract modules of a directory (not recursive), sorted. */
export function contractFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => resolve(dir, f));
}

/** Forget the in-memory cache (benchmarks measure cold and warm loads in one process). */
export function clearTemplateMemoryCache(): void {
  memory.clear();
}
