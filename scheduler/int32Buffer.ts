/**
 * An append-only Int32Array that doubles when full: edge lists are built in one pass without
 * knowing their final length, and a typed array keeps them out of the GC's way.
 */
export class Int32Buffer {
  #data: Int32Array;
  #length = 0;

  constructor(initialCapacity = 1024) {
    this.#data = new Int32Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const grown = new Int32Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.#length++] = value;
  }

  /** A copy trimmed to the used length. */
  toInt32Array(): Int32Array {
    return this.#data.slice(0, this.#length);
  }
}
