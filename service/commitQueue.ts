/**
 * A first-come, first-served queue that runs one task at a time: the commit mutex. Every block
 * commit (and every read that must see a committed head) goes through it, so two commits never
 * interleave, whatever the HTTP concurrency, and a task sees every task submitted before it done.
 */
export class CommitQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;
  #active = 0;
  #maxConcurrent = 0;

  /** Tasks submitted and not finished (the running one included). */
  get depth(): number {
    return this.#waiting + this.#active;
  }

  /** The most tasks ever running at once: 1 unless the queue is broken (a test probe). */
  get maxConcurrent(): number {
    return this.#maxConcurrent;
  }

  /** Run `task` after every task submitted before it has settled; its result or error is the caller's. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    this.#waiting++;
    const result = this.#tail.then(async () => {
      this.#waiting--;
      this.#active++;
      this.#maxConcurrent = Math.max(this.#maxConcurrent, this.#active);
      try {
        return await task();
      } finally {
        this.#active--;
      }
    });
    // The next task waits for this one to settle, whether it succeeded or not.
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task submitted so far has settled. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
