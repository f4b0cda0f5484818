/**
 * The file piscina loads in each executor worker: a CommonJS module that loads the real worker
 * (`worker.js`, an ES module) with `import()`.
 *
 * Why not hand piscina `worker.js` itself: piscina loads a worker file with `require()` first, and
 * on Node 20.19+ `require()` of an ES module instantiates its graph synchronously. When the pool
 * is destroyed (or a failed worker's replacement is torn down) while a worker is still inside that
 * synchronous instantiation, Node 20 meets the termination and then asks V8 whether the
 * half-instantiated graph is async, which is a fatal error: the whole process aborts, not just
 * the worker. An executor closed soon after it was created (a short CLI run, a request that failed
 * its checks, a test) hits that window with its slower worker. The asynchronous `import()` path
 * handles termination as an ordinary stop, so the worker is loaded through it.
 */
type WorkerModule = typeof import("./worker.js");

// Start loading at once, as `require` of the worker did, so a pool's startup still overlaps the
// caller's own work. A load failure surfaces on the first task (as an error piscina reports),
// not as an unhandled rejection that would take the process down.
const worker: Promise<WorkerModule> = import("./worker.js");
worker.catch(() => undefined);

async function runTask(task: Parameters<WorkerModule["default"]>[0]): ReturnType<WorkerModule["default"]> {
  return (await worker).default(task);
}

export = runTask;
