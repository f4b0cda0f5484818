/**
 * A binary min-heap of integer ids keyed by a float, ties broken by the smaller id. Typed arrays
 * and a fixed capacity keep it allocation-free: list scheduling pushes every transaction twice.
 * The tie rule makes every schedule deterministic.
 */
export class IndexHeap {
  readonly #ids: Int32Array;
  readonly #keys: Float64Array;
  #size = 0;

  constructor(capacity: number) {
    this.#ids = new Int32Array(Math.max(1, capacity));
    this.#keys = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.#size;
  }

  #less(a: number, b: number): boolean {
    const ka = this.#keys[a]!;
    const kb = this.#keys[b]!;
    return ka < kb || (ka === kb && this.#ids[a]! < this.#ids[b]!);
  }

  #swap(a: number, b: number): void {
    const id = this.#ids[a]!;
    const key = this.#keys[a]!;
    this.#ids[a] = this.#ids[b]!;
    this.#keys[a] = this.#keys[b]!;
    this.#ids[b] = id;
    this.#keys[b] = key;
  }

  push(id: number, key: number): void {
    let i = this.#size++;
    this.#ids[i] = id;
    this.#keys[i] = key;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** Key of the minimum; undefined when empty. */
  peekKey(): number | undefined {
    return this.#size === 0 ? undefined : this.#keys[0];
  }

  /** Removes and returns the id with the smallest key (-1 when empty). */
  pop(): number {
    if (this.#size === 0) return -1;
    const top = this.#ids[0]!;
    const last = --this.#size;
    if (last > 0) {
      this.#ids[0] = this.#ids[last]!;
      this.#keys[0] = this.#keys[last]!;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= last) break;
        const right = left + 1;
        const child = right < last && this.#less(right, left) ? right : left;
        if (!this.#less(child, i)) break;
        this.#swap(i, child);
        i = child;
      }
    }
    return top;
  }
}
