/**
 * What the machine itself gives K threads: K worker threads run the same pure integer loop at
 * once, against one of them alone, for the same time. No shared memory, no messages, no state:
 * whatever keeps the ratio under K is the machine's (a VM's vCPUs sharing a physical core, the
 * clock dropping when every core is busy, a neighbour's load) and caps every parallel mode too.
 * `prescient bench` prints it next to the speedups so they can be read against it.
 */
import { Worker } from "node:worker_threads";
import { median } from "./measure.js";

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
function spin(n) { let x = 0; for (let i = 0; i < n; i++) x = (x + Math.imul(i, 7)) | 0; return x; }
for (let k = 0; k < 200; k++) spin(1e5);
parentPort.on("message", (ms) => {
  const start = performance.now();
  let rounds = 0;
  let sink = 0;
  while (performance.now() - start < ms) { sink ^= spin(1e5); rounds++; }
  parentPort.postMessage(rounds + (sink & 0));
});
`;

export interface ThreadCeilingParameters {
  /** Threads to run together (>= 2). */
  readonly threads: number;
  /** Milliseconds per measurement. */
  readonly ms?: number;
  /** Measurements (the median is reported). */
  readonly repeat?: number;
}

/** The work K threads do together (median) over the most one did alone, in the same time. */
export async function measureThreadCeiling(parameters: ThreadCeilingParameters): Promise<number> {
  const { threads } = parameters;
  if (!Number.isInteger(threads) || threads < 2) throw new RangeError(`threads must be an integer >= 2, got ${threads}`);
  const ms = parameters.ms ?? 200;
  const repeat = parameters.repeat ?? 5;
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const run = (worker: Worker): Promise<number> =>
    new Promise((resolve, reject) => {
      const onMessage = (rounds: number) => {
        worker.off("error", onError);
        resolve(rounds);
      };
      const onError = (error: Error) => {
        worker.off("message", onMessage);
        reject(error);
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.postMessage(ms);
    });
  try {
    // A first round together warms every worker's loop up.
    await Promise.all(workers.map(run));
    // Against the best lone run: a lone run slowed by a neighbour would otherwise make K threads
    // look better than K times one.
    let alone = 0;
    const together: number[] = [];
    for (let r = 0; r < repeat; r++) {
      alone = Math.max(alone, await run(workers[0]!));
      together.push((await Promise.all(workers.map(run))).reduce((a, b) => a + b, 0));
    }
    return median(together) / alone;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
