/**
 * How idle executor threads wait for work without missing it. Two words of a shared header: a
 * generation the sleepers wait on, and a count of sleepers. A thread about to sleep registers as a
 * sleeper and then looks for work once more, so a producer either sees it registered (and moves
 * the generation it waits on) or its new work is seen by that last look. Producers skip the
 * generation bump and the notify — which takes a mutex inside V8 — when nobody sleeps.
 */

export interface SleepWords {
  readonly header: Int32Array;
  readonly generation: number;
  readonly sleepers: number;
}

/**
 * Wait for work: spin `spins` times first (a dependency is usually released within microseconds,
 * and a futex sleep and wake costs tens of them), then sleep until the generation moves, at most
 * `timeoutMs`.
 */
export function idleUntil(words: SleepWords, hasWork: () => boolean, spins: number, timeoutMs: number): void {
  for (let spin = 0; spin < spins; spin++) if (hasWork()) return;
  const { header } = words;
  const generation = Atomics.load(header, words.generation);
  Atomics.add(header, words.sleepers, 1);
  if (!hasWork()) Atomics.wait(header, words.generation, generation, timeoutMs);
  Atomics.sub(header, words.sleepers, 1);
}

/** After publishing work: wake `count` sleepers (all by default), if there are any. */
export function wakeSleepers(words: SleepWords, count?: number): void {
  const { header } = words;
  if (Atomics.load(header, words.sleepers) > 0) {
    Atomics.add(header, words.generation, 1);
    Atomics.notify(header, words.generation, count);
  }
}
