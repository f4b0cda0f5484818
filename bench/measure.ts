/**
 * Small measurement helpers shared by the benchmarks.
 */
import { cpus } from "node:os";
import v8 from "node:v8";
import vm from "node:vm";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;
}

let gc: (() => void) | undefined | null = null;

/**
 * A full collection of this thread's heap before a timed run, so that no run pays for the garbage
 * of the one before it. Why it matters: the calling thread runs transactions in the parallel
 * modes too, so each parallel run left garbage that the next sequential run's collections swept,
 * and the other way round — the baseline measured up to 40% slower in some processes than alone.
 * (`--expose-gc` set at run time, the usual way; without it, nothing is collected.)
 */
export function collectGarbage(): void {
  if (gc === null) {
    try {
      v8.setFlagsFromString("--expose-gc");
      gc = vm.runInNewContext("gc") as () => void;
    } catch {
      gc = undefined;
    }
  }
  gc?.();
}
