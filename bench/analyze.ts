/**
 * Analyzer benchmark: cold analysis of the shipped contracts (a fresh process, no cache), warm
 * analysis (a fresh process, templates cached on disk; and in memory), and instantiation
 * throughput (access sets per second) on generated blocks.
 *
 *   node dist/bench/analyze.js [--txs N] [--json]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SAMPLE_CONTRACTS } from "../contracts/runtime/runtime.js";
import { samplesDir } from "../core/paths.js";
import { machineDescription, median, referenceNs } from "./measure.js";

export interface AnalyzeBenchResult {
  readonly machine: string;
  /** Fresh process, no cache: loading the analyzer and TypeScript, linting and deriving all samples. */
  readonly coldMs: number;
  /** Fresh process, templates cached on disk. */
  readonly warmDiskMs: number;
  /** Same process, templates cached in memory. */
  readonly warmMemoryMs: number;
  /**
   * Instantiation of whole blocks (declared lists merged), median wall and process CPU time: once
   * with V8's default young generation, once with `RECOMMENDED_SEMI_SPACE_MB` (see there).
   */
  readonly instantiation: readonly {
    /** The child's `--max-semi-space-size` in MB; undefined for V8's default (16 MB on 64-bit). */
    readonly semiSpaceMb: number | undefined;
    readonly workload: string;
    readonly txs: number;
    readonly medianMs: number;
    readonly txPerSecond: number;
    readonly cpuMs: number;
    readonly txPerCpuSecond: number;
  }[];
  /** 1-minute load average when the run ended (other processes on a shared machine skew wall times). */
  readonly loadAverage: number;
  /**
   * The machine's speed on a fixed kernel (see referenceNs), before and after the run: compare
   * two days' figures by the ratio of their references, not as they stand.
   */
  readonly referenceNs: { readonly before: number; readonly after: number };
}

const SELF = fileURLToPath(import.meta.url);

/**
 * The semi-space size (MB) we recommend for a process that instantiates blocks
 * (`NODE_OPTIONS=--max-semi-space-size=32`): twice V8's default. A block's access sets live until
 * the block is scheduled, so a young-generation collection in the middle of a block copies every
 * set made so far (twice: within the young generation, then into the old one). A 20,000-
 * transaction DeFi block makes ~10 MB of them; with V8's 16 MB semi-spaces nearly every block
 * pays one 12–15 ms collection, a quarter to a third of its time, while with 32 MB most blocks pay none
 * and the collection that comes finds the earlier blocks' sets dead. 64 MB measured slower again
 * (the rarer collections each copy more). V8 reads the size when it creates the heap: it is a
 * node option, not something the library can set.
 */
export const RECOMMENDED_SEMI_SPACE_MB = 32;

/** In a child process: time loading the samples' templates from a cold start of the analyzer. */
async function childLoad(): Promise<void> {
  const started = performance.now();
  const { loadTemplates } = await import("../analyzer/load.js");
  for (const name of SAMPLE_CONTRACTS) await loadTemplates(join(samplesDir(), `${name}.ts`));
  const firstMs = performance.now() - started;
  const again = performance.now();
  for (const name of SAMPLE_CONTRACTS) await loadTemplates(join(samplesDir(), `${name}.ts`));
  const memoryMs = performance.now() - again;
  process.stdout.write(JSON.stringify({ firstMs, memoryMs }));
}

/**
 * In a child process (run with --expose-gc): instantiation throughput. Every block has its own
 * seed, so its accounts (and their locations) are new to the process, as in a sequencer meeting a
 * block for the first time; nothing is cached from one block to the next but the templates. All
 * blocks are generated and deployed first, then one full collection and a pause let the
 * collector finish with that garbage (a collection just before a measured block left its
 * sweeping to run during the block), and the blocks are instantiated back to back: each pays for
 * the collections its own allocations cause. The first `warm` blocks are not counted (the JIT
 * compiles the instantiator during them).
 */
async function childInstantiate(txs: number, repeat: number, warm: number): Promise<void> {
  const { generateWorkload } = await import("../workloads/index.js");
  const { blockToJson, parseBlock } = await import("../core/schema.js");
  const { deployChain } = await import("../executor/chain.js");
  const { withAccountContract } = await import("../state/genesis.js");
  const { templatesForRuntime } = await import("../analyzer/analyze.js");
  const { Instantiator } = await import("../analyzer/instantiate.js");
  const instantiation: Omit<AnalyzeBenchResult["instantiation"][number], "semiSpaceMb">[] = [];
  const collect = (globalThis as { gc?: () => void }).gc;
  for (const workload of ["erc20", "p2p", "defi"] as const) {
    const blocks: { instantiator: InstanceType<typeof Instantiator>; prepared: readonly import("../executor/prepare.js").PreparedTx[] }[] = [];
    for (let seed = 0; seed < warm + repeat; seed++) {
      const generated = generateWorkload(workload, { txs, seed: `bench-${seed}` });
      // Through JSON, as a sequencer receives blocks (flat strings, not the generator's slices).
      const block = parseBlock(JSON.parse(JSON.stringify(blockToJson(generated.block))) as unknown);
      const chain = await deployChain(block, withAccountContract(generated.genesis), process.cwd());
      const contracts = await templatesForRuntime(chain.runtime);
      blocks.push({ instantiator: new Instantiator({ contracts, block: chain.block, state: chain.state }), prepared: chain.prepared });
    }
    collect?.();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const runs: number[] = [];
    const cpus: number[] = [];
    blocks.forEach(({ instantiator, prepared }, i) => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      instantiator.instantiateBlock(prepared);
      const wall = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (process.env.PRESCIENT_BENCH_VERBOSE) process.stderr.write(`${workload} block ${i}: ${wall.toFixed(1)} ms\n`);
      if (i >= warm) {
        runs.push(wall);
        cpus.push((used.user + used.system) / 1000);
      }
    });
    const medianMs = median(runs);
    const cpuMs = median(cpus);
    instantiation.push({ workload, txs, medianMs, txPerSecond: Math.round((txs * 1000) / medianMs), cpuMs, txPerCpuSecond: Math.round((txs * 1000) / cpuMs) });
  }
  process.stdout.write(JSON.stringify(instantiation));
}

function spawnLoad(env: NodeJS.ProcessEnv): { firstMs: number; memoryMs: number } {
  const child = spawnSync(process.execPath, [SELF, "--child-load"], { env: { ...process.env, ...env }, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`benchmark child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { firstMs: number; memoryMs: number };
}

export async function benchAnalyze(options: { readonly txs?: number; readonly repeat?: number } = {}): Promise<AnalyzeBenchResult> {
  const txs = options.txs ?? 20_000;
  const repeat = options.repeat ?? 5;
  const warm = 2;
  const referenceBefore = referenceNs();
  const cacheDir = mkdtempSync(join(tmpdir(), "prescient-bench-"));
  let coldMs: number;
  let warmDiskMs: number;
  let warmMemoryMs: number;
  try {
    const colds: number[] = [];
    for (let i = 0; i < 3; i++) colds.push(spawnLoad({ PRESCIENT_CACHE: "off" }).firstMs);
    coldMs = median(colds);
    spawnLoad({ PRESCIENT_CACHE_DIR: cacheDir }); // populate the disk cache
    const warms: number[] = [];
    const memories: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = spawnLoad({ PRESCIENT_CACHE_DIR: cacheDir });
      warms.push(r.firstMs);
      memories.push(r.memoryMs);
    }
    warmDiskMs = median(warms);
    warmMemoryMs = median(memories);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }

  const instantiation: AnalyzeBenchResult["instantiation"][number][] = [];
  // NODE_OPTIONS could carry a semi-space size of its own: each child gets exactly the one named.
  const { NODE_OPTIONS: _inherited, ...env } = process.env;
  for (const semiSpaceMb of [undefined, RECOMMENDED_SEMI_SPACE_MB]) {
    const flags = ["--expose-gc", ...(semiSpaceMb === undefined ? [] : [`--max-semi-space-size=${semiSpaceMb}`])];
    const args = [...flags, SELF, "--child-instantiate", String(txs), String(repeat), String(warm)];
    const child = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24, env });
    if (child.status !== 0) throw new Error(`benchmark child failed: ${child.stderr}`);
    const measured = JSON.parse(child.stdout) as Omit<AnalyzeBenchResult["instantiation"][number], "semiSpaceMb">[];
    for (const m of measured) instantiation.push({ semiSpaceMb, ...m });
  }
  const referenceAfter = referenceNs();
  return {
    machine: machineDescription(),
    coldMs,
    warmDiskMs,
    warmMemoryMs,
    instantiation,
    loadAverage: loadavg()[0] ?? 0,
    referenceNs: { before: referenceBefore, after: referenceAfter },
  };
}

function format(r: AnalyzeBenchResult): string {
  const lines = [
    `machine: ${r.machine}`,
    `machine speed: ${r.referenceNs.before.toFixed(1)} ns per reference location check before the run, ${r.referenceNs.after.toFixed(1)} ns after (compare runs by this ratio)`,
    `cold analysis of the ${SAMPLE_CONTRACTS.length} shipped contracts (fresh process, no cache): ${r.coldMs.toFixed(0)} ms`,
    `warm analysis (fresh process, templates cached on disk): ${r.warmDiskMs.toFixed(1)} ms`,
    `warm analysis (templates cached in memory): ${r.warmMemoryMs.toFixed(3)} ms`,
  ];
  for (const i of r.instantiation) {
    const young = i.semiSpaceMb === undefined ? "default young generation" : `--max-semi-space-size=${i.semiSpaceMb}`;
    lines.push(`instantiation, ${i.workload} (${i.txs} txs, ${young}): ${i.medianMs.toFixed(1)} ms wall, ${i.txPerSecond} tx/s (${i.cpuMs.toFixed(1)} ms CPU, ${i.txPerCpuSecond} tx per CPU second)`);
  }
  lines.push(`load average at the end: ${r.loadAverage.toFixed(2)}`);
  return lines.join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--child-load")) await childLoad();
  else if (process.argv.includes("--child-instantiate")) {
    const at = process.argv.indexOf("--child-instantiate");
    await childInstantiate(Number(process.argv[at + 1]), Number(process.argv[at + 2]), Number(process.argv[at + 3]));
  }
  else {
    const txsArg = process.argv.indexOf("--txs");
    const txs = txsArg >= 0 ? Number(process.argv[txsArg + 1]) : undefined;
    const result = await benchAnalyze(txs !== undefined ? { txs } : {});
    process.stdout.write(`${process.argv.includes("--json") ? JSON.stringify(result) : format(result)}\n`);
  }
}
