/**
 * The EVM benchmark: each shipped mainnet block run by prescient's sequential EVM runtime and by
 * plain @ethereumjs/vm (`runTx` in a loop over its own state managers) in one process, after a
 * warm-up, as the median of interleaved runs. Both start from the same parsed block with its
 * senders already recovered (recovery is admission work, reported apart); each run starts from a
 * freshly loaded pre-state, loading not timed. Every run must reproduce the header's gasUsed.
 */
import { EvmRuntime, loadEvmBlock, type LoadedEvmBlock, type PreparedEvmTx } from "../evm/runtime/evmRuntime.js";
import { mainnetBlockNumbers, mainnetBlockSource } from "../evm/input/mainnetBlocks.js";
import { createPeerBlock, type PeerStateManager } from "../evm/peer/ethereumjsPeer.js";
import { runEvmBlockSequential } from "../evm/sequential.js";
import { State } from "../state/state.js";
import { median } from "./measure.js";

export interface EvmBenchRow {
  readonly block: number;
  readonly hardfork: string;
  readonly txs: number;
  readonly gas: number;
  /** Sender recovery (secp256k1) of the whole block, done once before the runs. */
  readonly prepareMs: number;
  readonly prescientMs: number;
  /** Per peer state manager: its median time, or undefined where it cannot run the block. */
  readonly peerMs: Partial<Record<PeerStateManager, number>>;
  /** Peers that ran the block but did not reproduce the header's gasUsed (not timed further). */
  readonly peerWrong: readonly PeerStateManager[];
}

export interface BenchEvmParameters {
  readonly blocks: readonly number[];
  readonly repeat: number;
  readonly peers: readonly PeerStateManager[];
  readonly onStep?: (done: number, step: string) => void;
}

export async function benchEvmBlocks(parameters: BenchEvmParameters): Promise<EvmBenchRow[]> {
  const rows: EvmBenchRow[] = [];
  for (const number of parameters.blocks) {
    parameters.onStep?.(rows.length, `block ${number}: loading`);
    const loaded = await loadEvmBlock(mainnetBlockSource(number));
    let runtime = await EvmRuntime.create(loaded);
    const started = performance.now();
    const prepared = runtime.prepareBlock();
    const prepareMs = performance.now() - started;
    // SimpleStateManager computes no state root, which receipts before Byzantium need.
    let peers = parameters.peers.filter((kind) => kind !== "simple" || loaded.block.block.common.gteHardfork("byzantium"));
    const peerWrong: PeerStateManager[] = [];
    const times = new Map<string, number[]>([["prescient", []], ...peers.map((k): [string, number[]] => [k, []])]);
    // The first round warms up (compiles the EVM's hot paths for both) and is not counted.
    for (let round = 0; round <= parameters.repeat; round++) {
      parameters.onStep?.(rows.length, `block ${number}: round ${round} of ${parameters.repeat}`);
      // A fresh runtime per run: nothing it caches (the code analysis) carries over from the last run.
      runtime = await EvmRuntime.create(loaded);
      const ms = await runPrescient(runtime, prepared, loaded);
      if (round > 0) times.get("prescient")!.push(ms);
      for (const kind of peers) {
        const run = await createPeerBlock(loaded, prepared, kind).run();
        if (run.gasUsed !== loaded.block.gasUsed) peerWrong.push(kind);
        else if (round > 0) times.get(kind)!.push(run.wallMs);
      }
      peers = peers.filter((kind) => !peerWrong.includes(kind));
    }
    const peerMs: Partial<Record<PeerStateManager, number>> = {};
    for (const kind of peers) peerMs[kind] = median(times.get(kind)!);
    rows.push({ block: number, hardfork: loaded.block.hardfork, txs: prepared.length, gas: Number(loaded.block.gasUsed), prepareMs, prescientMs: median(times.get("prescient")!), peerMs, peerWrong });
  }
  return rows;
}

async function runPrescient(runtime: EvmRuntime, prepared: readonly PreparedEvmTx[], loaded: LoadedEvmBlock): Promise<number> {
  const view = new State(runtime.initialEntries());
  const run = await runEvmBlockSequential({ runtime, prepared, view });
  if (run.gasUsed !== loaded.block.gasUsed) throw new Error(`block ${loaded.block.number}: prescient used ${run.gasUsed} gas, the header says ${loaded.block.gasUsed}`);
  return run.wallMs;
}

/** The shipped blocks, or one in six with `quick`. */
export function evmBenchBlocks(quick: boolean, only?: readonly string[]): number[] {
  return mainnetBlockNumbers().filter((n, i) => (only === undefined || only.includes(String(n))) && (!quick || i % 6 === 0));
}

/**
 * What one `await` of an already settled promise costs (ns): the price of an asynchronous runtime
 * call per transaction in a synchronous engine loop, to weigh against a transaction's time.
 */
export async function awaitCostNs(iterations = 1_000_000): Promise<number> {
  const settled = Promise.resolve(0);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await settled;
    rounds.push(((performance.now() - started) * 1e6) / iterations);
  }
  return median(rounds);
}

const mgas = (gas: number, ms: number): string => (gas / ms / 1000).toFixed(1);

export function evmBenchTable(rows: readonly EvmBenchRow[], peers: readonly PeerStateManager[]): string {
  const head = `| block | fork | txs | Mgas | senders ms | prescient ms | prescient Mgas/s | ${peers.map((k) => `${k} ms | ratio vs ${k}`).join(" | ")} |`;
  const lines = [head, `|${"---:|".repeat(7 + 2 * peers.length)}`];
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    const cells = peers.map((k) => {
      const ms = r.peerMs[k];
      if (r.peerWrong.includes(k)) return "wrong gasUsed | –";
      if (ms === undefined) return "– | –";
      const ratio = ms / r.prescientMs;
      const s = sums.get(k) ?? { sum: 0, n: 0 };
      sums.set(k, { sum: s.sum + ratio, n: s.n + 1 });
      return `${ms.toFixed(1)} | ${ratio.toFixed(2)}×`;
    });
    lines.push(`| ${r.block} | ${r.hardfork} | ${r.txs} | ${(r.gas / 1e6).toFixed(2)} | ${r.prepareMs.toFixed(1)} | ${r.prescientMs.toFixed(1)} | ${mgas(r.gas, r.prescientMs)} | ${cells.join(" | ")} |`);
  }
  const averages = peers.map((k) => {
    const s = sums.get(k);
    return s === undefined ? `${k}: –` : `${k} ${(s.sum / s.n).toFixed(2)}× over ${s.n} blocks`;
  });
  return `${lines.join("\n")}\n\naverage ratio (peer time / prescient time, > 1 means prescient is faster): ${averages.join(", ")}\n`;
}
