/**
 * Interns location strings to dense integer ids. A V8 `Map` does this well up to a few hundred
 * thousand keys, but at millions of distinct keys (1M independent transfers touch 3M) its growth
 * and the garbage collector's work on its backing store dominated the whole scheduler. This table
 * keeps its metadata in typed arrays (open addressing, linear probing, load ≤ 1/2) and stores each
 * key's FNV-1a hash over its UTF-16 code units, so growing never re-hashes a string and a lookup
 * costs one pass over the key plus, on a hit, one string comparison.
 */
export class LocationInterner {
  #mask: number;
  /** id + 1 per slot, 0 when empty. */
  #slots: Int32Array;
  #slotHash: Int32Array;
  readonly #keys: string[] = [];

  /** `expectedKeys`: a hint; the table grows as needed. */
  constructor(expectedKeys = 1024) {
    const capacity = LocationInterner.#capacityFor(expectedKeys);
    this.#mask = capacity - 1;
    this.#slots = new Int32Array(capacity);
    this.#slotHash = new Int32Array(capacity);
  }

  static #capacityFor(expectedKeys: number): number {
    let capacity = 1024;
    while (capacity < expectedKeys * 2) capacity *= 2;
    return capacity;
  }

  /**
   * Forgets every key, keeping the tables when their size suits `expectedKeys` (reuse across
   * blocks avoids re-allocating tens of megabytes per large block) and shrinking them when they
   * are far too big (so a small block after a huge one does not clear a huge table).
   */
  reset(expectedKeys: number): void {
    const capacity = LocationInterner.#capacityFor(expectedKeys);
    this.#keys.length = 0;
    if (this.#slots.length < capacity || this.#slots.length > capacity * 4) {
      this.#slots = new Int32Array(capacity);
      this.#slotHash = new Int32Array(capacity);
      this.#mask = capacity - 1;
    } else {
      this.#slots.fill(0);
    }
  }

  get size(): number {
    return this.#keys.length;
  }

  /**
   * Drops the references to the keys (so a reused interner does not keep the last block's strings
   * alive); the table is stale afterwards and must be `reset` before the next use.
   */
  releaseKeys(): void {
    this.#keys.length = 0;
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
        this.#keys.push(key);
        slots[s] = id + 1;
        hashes[s] = h;
        if ((id + 1) * 2 > mask) this.#grow();
        return id;
      }
      if (hashes[s] === h && this.#keys[stored - 1] === key) return stored - 1;
    }
  }

  #grow(): void {
    const oldSlots = this.#slots;
    const oldHashes = this.#slotHash;
    const capacity = oldSlots.length * 2;
    const mask = capacity - 1;
    const slots = new Int32Array(capacity);
    const hashes = new Int32Array(capacity);
    for (let s = 0; s < oldSlots.length; s++) {
      const stored = oldSlots[s]!;
      if (stored === 0) continue;
      const h = oldHashes[s]!;
      let t = h & mask;
      while (slots[t] !== 0) t = (t + 1) & mask;
      slots[t] = stored;
      hashes[t] = h;
    }
    this.#slots = slots;
    this.#slotHash = hashes;
    this.#mask = mask;
  }
}
