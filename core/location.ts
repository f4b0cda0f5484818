/**
 * Storage locations (docs/formats.md, "Storage locations"): `<contract>/<var>` for a scalar and
 * `<contract>/<var>/<k1>[/<k2>…]` for map entries. A declared access list may end an entry in
 * `/*`, which covers every location below that prefix. Access-trace keys (`acct:…`, `slot:…`)
 * are opaque location strings that only ever compare for equality.
 */

/** The location of a scalar or map entry of a contract. */
export function location(contract: string, variable: string, ...keys: readonly string[]): string {
  return keys.length === 0 ? `${contract}/${variable}` : `${contract}/${variable}/${keys.join("/")}`;
}

export function isWildcard(entry: string): boolean {
  return entry.endsWith("/*");
}

/** Whether `loc` is covered by the declared entry `entry` (an exact location or a `/*` prefix). */
export function covers(entry: string, loc: string): boolean {
  if (!isWildcard(entry)) return entry === loc;
  const prefix = entry.slice(0, -1); // keep the trailing "/"
  return loc.startsWith(prefix) && loc.length > prefix.length;
}

/** Matchers for an access set. A location writable by the set may also be read: a balance update reads before it writes. */
export function accessMatchers(reads: readonly string[], writes: readonly string[]): { readonly readable: LocationMatcher; readonly writable: LocationMatcher } {
  return { readable: new LocationMatcher([...reads, ...writes]), writable: new LocationMatcher(writes) };
}

/**
 * A matcher over a declared list. Exact entries go in a Set and wildcard prefixes in a short
 * array, so checking an access costs one hash lookup in the common case.
 */
export class LocationMatcher {
  readonly #exact: Set<string>;
  readonly #prefixes: string[];

  constructor(entries: readonly string[]) {
    this.#exact = new Set();
    this.#prefixes = [];
    for (const entry of entries) {
      if (isWildcard(entry)) this.#prefixes.push(entry.slice(0, -1));
      else this.#exact.add(entry);
    }
  }

  has(loc: string): boolean {
    if (this.#exact.has(loc)) return true;
    const prefixes = this.#prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i]!;
      if (loc.length > prefix.length && loc.startsWith(prefix)) return true;
    }
    return false;
  }
}
