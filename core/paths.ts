/**
 * Where prescient's own files are, whether it runs from `dist/` or from source.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The package's root directory (the one holding its package.json). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "prescient") {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find prescient's package.json");
    dir = parent;
  }
}

let version: string | undefined;

/** prescient's version, from its package.json. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  return version;
}

/** The directory of the shipped sample contracts. */
export function samplesDir(): string {
  return join(packageRoot(), "contracts", "samples");
}

/** The directory of the data the package ships (mainnet traces and blocks, gzipped). */
export function dataDir(): string {
  return join(packageRoot(), "data");
}

/** The directory of the mainnet access traces: `$PRESCIENT_TRACES_DIR`, else the package's own `data/mainnet-access-traces`. */
export function defaultTracesDir(): string {
  const override = process.env.PRESCIENT_TRACES_DIR;
  return override !== undefined && override !== "" ? resolve(override) : join(dataDir(), "mainnet-access-traces");
}
