/**
 * Where prescient keeps what it can derive again (compiled contracts, analyzer templates): the
 * user's cache directory, never the package's own folder, which may be read-only or inside a
 * project's node_modules.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * prescient's cache root: `$PRESCIENT_CACHE_DIR`, else `$XDG_CACHE_HOME/prescient`, else
 * `~/.cache/prescient`. Relative settings are taken from the working directory.
 */
export function cacheRoot(): string {
  const own = process.env.PRESCIENT_CACHE_DIR;
  if (own !== undefined && own !== "") return resolve(own);
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== "") return resolve(xdg, "prescient");
  return join(homedir(), ".cache", "prescient");
}

/** The cache folder for one kind of file, or undefined when `PRESCIENT_CACHE=off`. */
export function cacheDir(kind: "contracts" | "templates"): string | undefined {
  if (process.env.PRESCIENT_CACHE === "off") return undefined;
  return join(cacheRoot(), kind);
}
