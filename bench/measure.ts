/**
 * Small measurement helpers shared by the benchmarks.
 */
import { cpus } from "node:os";
import { Random } from "../workloads/random.js";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;
}

/**
 * A fixed reference kernel, to tell a slow machine from slow code: nanoseconds per check that a
 * 94-character location is a base text followed by a key, done as the instantiator checks a
 * declared entry (`indexOf` at the split, `lastIndexOf` at 0), over 4,096 locations parsed from
 * JSON. The same code has read 2× apart on this kind of machine from one day to the next (its
 * neighbours share the host); a benchmark that prints this beside its figures can be compared
 * with another day's run by the ratio of the two references. The check is a copy of
 * `LocationList.#entryIs`'s last line, not a call into it, on purpose: a reference that moved
 * with the instantiator's code could not tell the two apart.
 */
export function referenceNs(): number {
  const hex = "0123456789abcdef";
  const random = new Random("reference-kernel");
  const address = (): string => {
    let s = "0x";
    for (let i = 0; i < 40; i++) s += hex[random.int(16)];
    return s;
  };
  const n = 4096;
  const texts: string[] = [];
  const keys: string[] = [];
  const locations: string[] = [];
  for (let i = 0; i < n; i++) {
    const [text, key] = JSON.parse(JSON.stringify([`${address()}/balances/`, address()])) as [string, string];
    texts.push(text);
    keys.push(key);
    locations.push(JSON.parse(JSON.stringify(text + key)) as string);
  }
  const rounds: number[] = [];
  let found = 0;
  for (let round = 0; round < 7; round++) {
    const started = performance.now();
    for (let r = 0; r < 100; r++) {
      for (let i = 0; i < n; i++) {
        const loc = locations[i]!;
        const split = texts[i]!.length;
        if (loc.indexOf(keys[i]!, split) === split && loc.lastIndexOf(texts[i]!, 0) === 0) found++;
      }
    }
    rounds.push(((performance.now() - started) * 1e6) / (100 * n));
  }
  if (found !== 7 * 100 * n) throw new Error("reference kernel: a location failed its own check");
  return median(rounds.slice(2));
}
