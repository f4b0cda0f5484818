/**
 * Wildcard entries (`<contract>/<var>/*`) conflict with every location under their prefix. Rather
 * than comparing every wildcard with every location (quadratic), each wildcard prefix that occurs
 * in the input becomes a lock of its own with two kinds of access, as in hierarchical (multi-
 * granularity) locking:
 *
 * - a *whole* access: the wildcard itself, which touches everything under the prefix;
 * - an *intent* access: a concrete location under the prefix, or a narrower wildcard under it.
 *
 * Two intent accesses never conflict through the prefix (they are compared at their own
 * locations); a whole write conflicts with everything; a whole read conflicts with writes.
 * Blocks without wildcards never create a prefix table, so the common path pays nothing.
 */

import { isWildcard } from "../core/location.js";

/** `a/b/*` → `a/b/` (the prefix keeps its trailing slash so `a/bc` is not under `a/b/*`). */
export function wildcardPrefix(entry: string): string {
  return entry.slice(0, -1);
}

/** Whether an entry ends in `/*`, checked on char codes because it runs once per access. */
export function isWildcardEntry(entry: string): boolean {
  const n = entry.length;
  return n >= 2 && entry.charCodeAt(n - 1) === 42 /* * */ && entry.charCodeAt(n - 2) === 47; /* / */
}

/**
 * The wildcard prefixes occurring in a set of entries, with a lookup of the ones that cover a
 * location. Covering prefixes are found by trying each `/`-terminated prefix of the location:
 * O(depth) hash lookups, independent of how many wildcards there are.
 */
export class WildcardPrefixIndex {
  readonly #ids = new Map<string, number>();

  get size(): number {
    return this.#ids.size;
  }

  /** Registers a wildcard entry's prefix, returning its id. */
  add(entry: string): number {
    if (!isWildcard(entry)) throw new Error(`not a wildcard entry: ${entry}`);
    const prefix = wildcardPrefix(entry);
    let id = this.#ids.get(prefix);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(prefix, id);
    }
    return id;
  }

  idOf(prefix: string): number | undefined {
    return this.#ids.get(prefix);
  }

  /**
   * Ids of the registered prefixes strictly covering `key`. For a concrete location that is every
   * registered prefix it starts with; for a wildcard prefix `a/b/` it is the registered proper
   * prefixes (`a/`), not `a/b/` itself.
   */
  coveringIds(key: string, out: number[]): number[] {
    out.length = 0;
    if (this.#ids.size === 0) return out;
    // For a prefix key (ending in "/") skip the final slash so the prefix does not cover itself.
    const end = key.endsWith("/") ? key.length - 1 : key.length;
    for (let i = key.indexOf("/"); i !== -1 && i < end; i = key.indexOf("/", i + 1)) {
      const id = this.#ids.get(key.slice(0, i + 1));
      if (id !== undefined) out.push(id);
    }
    return out;
  }
}
