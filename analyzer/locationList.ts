/**
 * The locations one transaction reads, or writes, while its templates are instantiated: in
 * insertion order, without duplicates. One list is reused from transaction to transaction
 * (`reset`), and `toArray` copies the result out at its exact length.
 *
 * Nearly every location comes from a template whose keys are all known, `<contract>/<var>` plus
 * `/<key>` per key. Such an entry is held as a base — `<contract>/<var>/`, or `<contract>/<var>`
 * for a scalar, numbered once per deployment and variable by the instantiator — and its key
 * string (the key values joined by `/`), and is compared by (base number, key). The alternative,
 * comparing or hashing the location strings, reads every character of strings the block has
 * never seen; the keys are mostly the transaction's own argument strings, the same object each
 * time the transaction uses them. Bases never contain each other's text (a variable name has no
 * `/`, nor does an address or a key segment), so two entries name the same location exactly when
 * their base numbers and keys are equal.
 *
 * The location string itself is made only when the list is copied out, once per location: an
 * entry a declared list names takes the declared string (already in memory); the write list takes
 * the string of the same location in the read list (its partner) when the template accessed both
 * together; others are concatenated.
 *
 * Other entries (wildcards, one of several possible key values, declared entries the templates do
 * not name) are compared as strings. Past 32 entries a Set of the strings takes over.
 */

/** The base number of an entry compared as a string. */
const STRING_ENTRY = -1;
const LINEAR_LIMIT = 32;
const INITIAL_CAPACITY = 64;

export class LocationList {
  // Parallel arrays, allocated filled (and grown by filling) so that their element kinds never
  // change and the compiled code that writes them is never thrown away.
  /** The entry's string, or undefined until it is needed. */
  readonly #items: (string | undefined)[] = new Array<string | undefined>(INITIAL_CAPACITY).fill(undefined);
  readonly #bases: number[] = new Array<number>(INITIAL_CAPACITY).fill(STRING_ENTRY);
  readonly #keys: string[] = new Array<string>(INITIAL_CAPACITY).fill("");
  /** The index of the same location in the partner list, or -1. */
  readonly #partners: number[] = new Array<number>(INITIAL_CAPACITY).fill(-1);
  /** Per entry: the stamp of the transaction whose declared list matched it (see `match`). */
  readonly #matched: number[] = new Array<number>(INITIAL_CAPACITY).fill(0);
  readonly #baseStrings: readonly string[];
  readonly #partner: LocationList | undefined;
  /** What `toArray` returned last for this transaction (the partner's strings are taken from it). */
  #out: string[] | undefined;
  #stamp = 0;
  /** Where `match` looks first: after the entry it found last. */
  #cursor = 0;
  #watchBase = STRING_ENTRY;
  #watchKey = "";
  #watched = false;
  #size = 0;
  #strings = 0;
  #set: Set<string> | undefined;
  /** Whether some entry is a wildcard (`…/*`). */
  wild = false;

  /**
   * `baseStrings[n]` is the text of base number n; `partner` is the list whose entries the
   * `partner` arguments of `addPart` point into (the reads, for the writes).
   */
  constructor(baseStrings: readonly string[], partner?: LocationList) {
    this.#baseStrings = baseStrings;
    this.#partner = partner;
  }

  /** Empty the list for the next transaction. */
  reset(): void {
    this.#stamp++;
    this.#cursor = 0;
    this.#size = 0;
    this.#strings = 0;
    this.#set = undefined;
    this.#out = undefined;
    this.#watched = false;
    this.wild = false;
  }

  get size(): number {
    return this.#size;
  }

  /** Whether every entry is a base and key (no string entry, no Set). */
  get simple(): boolean {
    return this.#strings === 0 && this.#set === undefined;
  }

  /** The location of entry `i` (made, and kept, if it was not yet). */
  at(i: number): string {
    let loc = this.#items[i];
    if (loc === undefined) this.#items[i] = loc = this.#make(i);
    return loc;
  }

  /**
   * The locations, at the list's exact length (the reads before the writes: see the class).
   *
   * Up to 16 entries, the array is an array literal: the arrays outlive the block's instantiation
   * (they are its result), and V8 allocates straight into the old generation from a literal whose
   * arrays it has seen survive (allocation-site pretenuring), while `new Array(n)` always starts
   * young and is copied by every scavenge it survives, up to twice: a fifth of a block's time.
   */
  toArray(): string[] {
    const n = this.#size;
    let out: string[];
    switch (n) {
      case 0: out = []; break;
      case 1: out = [this.#at(0)]; break;
      case 2: out = [this.#at(0), this.#at(1)]; break;
      case 3: out = [this.#at(0), this.#at(1), this.#at(2)]; break;
      case 4: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3)]; break;
      case 5: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4)]; break;
      case 6: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5)]; break;
      case 7: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6)]; break;
      case 8: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7)]; break;
      case 9: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8)]; break;
      case 10: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9)]; break;
      case 11: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9), this.#at(10)]; break;
      case 12: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9), this.#at(10), this.#at(11)]; break;
      case 13: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9), this.#at(10), this.#at(11), this.#at(12)]; break;
      case 14: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9), this.#at(10), this.#at(11), this.#at(12), this.#at(13)]; break;
      case 15: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9), this.#at(10), this.#at(11), this.#at(12), this.#at(13), this.#at(14)]; break;
      case 16: out = [this.#at(0), this.#at(1), this.#at(2), this.#at(3), this.#at(4), this.#at(5), this.#at(6), this.#at(7), this.#at(8), this.#at(9), this.#at(10), this.#at(11), this.#at(12), this.#at(13), this.#at(14), this.#at(15)]; break;
      default:
        out = new Array<string>(n);
        for (let i = 0; i < n; i++) out[i] = this.#at(i);
    }
    this.#out = out;
    return out;
  }

  /** The string of entry `i` for `toArray`: kept if it had one, else made (not kept: `#out` holds it). */
  #at(i: number): string {
    return this.#items[i] ?? this.#make(i);
  }

  /**
   * Add the location `baseStrings[base] + key`; `partner` is the index of the same location in
   * the partner list, or -1. Returns the entry's index (-1 once the list is a Set).
   */
  addPart(base: number, key: string, partner: number): number {
    if (this.#set !== undefined) {
      this.#addToSet(this.#text(base, key));
      return -1;
    }
    const bases = this.#bases;
    const keys = this.#keys;
    const n = this.#size;
    for (let i = 0; i < n; i++) if (bases[i] === base && keys[i] === key) return i;
    if (this.#strings > 0) {
      const loc = this.#text(base, key);
      for (let i = 0; i < n; i++) if (bases[i] === STRING_ENTRY && this.#items[i] === loc) return i;
    }
    if (base === this.#watchBase && key === this.#watchKey) this.#watched = true;
    return this.#push(undefined, base, key, partner);
  }

  /** Add a location compared as a string. */
  add(loc: string): void {
    if (this.#set !== undefined) {
      this.#addToSet(loc);
      return;
    }
    if (this.includes(loc)) return;
    this.#strings++;
    this.#push(loc, STRING_ENTRY, "", -1);
  }

  /**
   * Watch for one location added as a base and key (the fee recipient's balance): `watched`
   * tells whether it was, without a search.
   */
  watch(base: number, key: string): void {
    this.#watchBase = base;
    this.#watchKey = key;
  }

  get watched(): boolean {
    return this.#watched;
  }

  /** Whether the list holds `loc`. */
  includes(loc: string): boolean {
    if (this.#set !== undefined) return this.#set.has(loc);
    for (let i = 0; i < this.#size; i++) if (this.#entryIs(i, loc)) return true;
    return false;
  }

  /**
   * Whether the list holds `loc`; the entry found is marked (`matched`) and takes `loc` as its
   * string. The search starts after the entry found last: a declared list names locations in the
   * order the templates do, so matching one against the inferred set is linear in the common case.
   */
  match(loc: string): boolean {
    return this.#found(this.#find(loc), loc);
  }

  /**
   * `match` for a location `other` found as its entry `i`: by base and key when that entry has
   * them (the entries of one transaction's reads and writes share their key strings).
   */
  matchEntryOf(other: LocationList, i: number, loc: string): boolean {
    const base = other.#bases[i]!;
    if (base === STRING_ENTRY || this.#set !== undefined || other.#set !== undefined) return this.match(loc);
    const key = other.#keys[i]!;
    const n = this.#size;
    for (let k = 0, j = this.#cursor; k < n; k++, j = j + 1 === n ? 0 : j + 1) {
      if (this.#bases[j] === base && this.#keys[j] === key) return this.#found(j, loc);
    }
    return this.#strings > 0 && this.match(loc);
  }

  /** The index `match` found last (valid right after it returned true). */
  get lastMatch(): number {
    return (this.#cursor === 0 ? this.#size : this.#cursor) - 1;
  }

  /** Whether `match` found entry `i` since the last reset. */
  matched(i: number): boolean {
    return this.#matched[i] === this.#stamp;
  }

  /** A new list with the same entries (their strings made), to add to without changing this one. */
  clone(): LocationList {
    const copy = new LocationList(this.#baseStrings);
    while (copy.#items.length < this.#size) copy.#grow();
    for (let i = 0; i < this.#size; i++) {
      copy.#items[i] = this.at(i);
      copy.#bases[i] = this.#bases[i]!;
      copy.#keys[i] = this.#keys[i]!;
    }
    copy.#size = this.#size;
    copy.#strings = this.#strings;
    if (this.#set !== undefined) copy.#set = new Set(this.#set);
    copy.wild = this.wild;
    return copy;
  }

  /** The string of entry `i`, which has none yet: its partner's, or a concatenation. */
  #make(i: number): string {
    const partner = this.#partners[i]!;
    if (partner >= 0 && this.#partner !== undefined) return this.#partner.#out?.[partner] ?? this.#partner.at(partner);
    return this.#text(this.#bases[i]!, this.#keys[i]!);
  }

  #text(base: number, key: string): string {
    const text = this.#baseStrings[base]!;
    return key === "" ? text : text + key;
  }

  /** The index of `loc`, searching from the cursor, or -1. */
  #find(loc: string): number {
    const n = this.#size;
    if (this.#set !== undefined && !this.#set.has(loc)) return -1;
    for (let k = 0, i = this.#cursor; k < n; k++, i = i + 1 === n ? 0 : i + 1) if (this.#entryIs(i, loc)) return i;
    return -1;
  }

  #found(i: number, loc: string): boolean {
    if (i < 0) return false;
    this.#matched[i] = this.#stamp;
    if (this.#items[i] === undefined) this.#items[i] = loc;
    this.#cursor = i + 1 === this.#size ? 0 : i + 1;
    return true;
  }

  /**
   * Whether entry `i` is the location `loc`. An entry without its string yet is told apart by
   * length and by the characters that differ between bases (the variable name's last) and between
   * keys (their last); only a likely match is compared, part by part and in place:
   * `indexOf(key, split)` can only find the key at `split` (the lengths add up) and
   * `lastIndexOf(text, 0)` only at 0. Comparing two slices with `===` takes about as long but
   * allocates two strings per declared entry, and a block's collections come sooner;
   * startsWith/endsWith are compiled to a loop over the characters, twice as slow here.
   */
  #entryIs(i: number, loc: string): boolean {
    const item = this.#items[i];
    if (item !== undefined) return item === loc;
    const text = this.#baseStrings[this.#bases[i]!]!;
    const key = this.#keys[i]!;
    const split = text.length;
    if (loc.length !== split + key.length) return false;
    if (key.length > 0 && loc.charCodeAt(loc.length - 1) !== key.charCodeAt(key.length - 1)) return false;
    if (loc.charCodeAt(split - 2) !== text.charCodeAt(split - 2)) return false;
    return (key === "" || loc.indexOf(key, split) === split) && loc.lastIndexOf(text, 0) === 0;
  }

  #push(loc: string | undefined, base: number, key: string, partner: number): number {
    const n = this.#size++;
    if (n === this.#items.length) this.#grow();
    this.#items[n] = loc;
    this.#bases[n] = base;
    this.#keys[n] = key;
    this.#partners[n] = partner;
    if (this.#size > LINEAR_LIMIT && this.#set === undefined) {
      const set = new Set<string>();
      for (let i = 0; i < this.#size; i++) set.add(this.at(i));
      this.#set = set;
    }
    return n;
  }

  #grow(): void {
    const more = this.#items.length;
    for (let i = 0; i < more; i++) {
      this.#items.push(undefined);
      this.#bases.push(STRING_ENTRY);
      this.#keys.push("");
      this.#partners.push(-1);
      this.#matched.push(0);
    }
  }

  #addToSet(loc: string): void {
    const set = this.#set!;
    if (set.has(loc)) return;
    set.add(loc);
    this.#push(loc, STRING_ENTRY, "", -1);
  }
}
