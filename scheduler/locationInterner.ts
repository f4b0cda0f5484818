/**
 * Interns location strings to dense integer ids. A V8 `Map` does this well up to a few hundred
 * thousand keys, but at millions of distinct keys (1M independent transfers touch 3M) its growth
 * rehashes and the garbage collector's work on its backing store dominated the whole scheduler.
 * This table is sized once from the number of accesses (open addressing, linear probing, load
 * ≤ 1/2), keeps its metadata in typed arrays and hashes with FNV-1a over the UTF-16 code units,
 * so interning costs one pass over the key plus, on a hit, one string comparison.
 */
export class LocationInterner {
  readonly #mask: number;
  /** id + 1 per slot, 0 when empty. */
  readonly #slots: Int32Array;
  readonly #slotHash: Int32Array;
  readonly #keys: string[] = [];

  /** `maxKeys`: an upper bound of the distinct keys (e.g. the number of accesses). */
  constructor(maxKeys: number) {
    let capacity = 16;
    while (capacity < maxKeys * 2) capacity *= 2;
    this.#mask = capacity - 1;
    this.#slots = new Int32Array(capacity);
    this.#slotHash = new Int32Array(capacity);
  }

  get size(): number {
    return this.#keys.length;
  }

  keyOf(id: number): string {
    return this.#keys[id]!;
  }

  /** The id of `key`, assigning the next one when it is new. */
  intern(key: string): number {
    let h = 0x811c9dc5 | 0;
    const n = key.length;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const slots = this.#slots;
    const hashes = this.#slotHash;
    const mask = this.#mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const stored = slots[s]!;
      if (stored === 0) {
        const id = this.#keys.length;
        if (id * 2 > mask) throw new RangeError("LocationInterner is full: maxKeys was too small");
        this.#keys.push(key);
        slots[s] = id + 1;
        hashes[s] = h;
        return id;
      }
      if (hashes[s] === h && this.#keys[stored - 1] === key) return stored - 1;
    }
  }
}
