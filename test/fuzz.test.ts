/**
 * Fuzzing every input prescient reads, through the library: blocks, single transactions,
 * genesis files, access traces, congestion states and mempool NDJSON lines, as structurally
 * plausible mutations of valid documents (test/fuzz/jsonMutation.ts) and as damaged text.
 * Whatever the input, parsing either succeeds or throws an InputError that names the file and
 * the field (and the transaction for a field inside one); never another error, never a hang.
 * Blocks that still parse go on through the whole pipeline — argument conversion, the analyzer,
 * the scheduler, the sequential executor and the parallel executor — which must neither crash
 * nor create or destroy native currency, and must agree with each other.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { parseBlock, parseGenesis, parseJsonText, parseTx, blockToJson } from "../core/schema.js";
import { accessSetsFromTrace, parseAccessTrace, readAccessTrace } from "../core/trace.js";
import type { Block } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ACCOUNTS_ADDRESS } from "../core/protocol.js";
import { blockAccessSets, analyzeBlockAccessSets } from "../executor/accessSets.js";
import { prepareBlock } from "../executor/prepare.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { CongestionState } from "../scheduler/congestionState.js";
import { scheduleBlock } from "../scheduler/scheduleBlock.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import type { StateStore } from "../state/state.js";
import { generateWorkload, mainnetTraceFile, traceToWorkload } from "../workloads/index.js";
import { parseMempoolLine, runMempool } from "../cli/commands/mempool.js";
import { toJson } from "../cli/output.js";
import { comparable } from "./parallelFixture.js";
import { damagedText, mutated, type Json } from "./fuzz/jsonMutation.js";

/** Counts of cases run, per input, reported at the end (the figures of docs/guarantees.md). */
const cases: Record<string, number> = {};
const count = (what: string) => (cases[what] = (cases[what] ?? 0) + 1);

/** Runs `parse`; a failure must be an InputError naming `file` and a field (and the tx of a field inside one). */
function parsesOrNamesTheField<T>(file: string, parse: () => T, needsField = true): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof InputError)) throw new Error(`${file}: not an InputError: ${(error as Error)?.stack ?? String(error)}`);
    expect(error.shortMessage.startsWith(`${file}: `), error.shortMessage).toBe(true);
    expect(error.shortMessage).not.toContain("\n");
    if (needsField) expect(error.field, error.shortMessage).toBeDefined();
    if (error.txIndex !== undefined) expect(error.field?.startsWith(`txs[${error.txIndex}]`), error.shortMessage).toBe(true);
    return undefined;
  }
}

const json = (value: unknown): Json => JSON.parse(toJson(value)) as Json;

function nativeSupply(state: StateStore): bigint {
  let sum = 0n;
  for (const [loc, value] of state.entries()) if (loc.startsWith(`${ACCOUNTS_ADDRESS}/balance/`)) sum += value as bigint;
  return sum;
}

describe("fuzzing the input parsers", () => {
  const defi = generateWorkload("defi", { txs: 12, seed: 3 });
  const blockJson = json(blockToJson(defi.block));
  const genesisJson = json(withAccountContract(defi.genesis));
  const txJson = (blockJson as { txs: Json[] }).txs[0]!;

  it("blocks: 6,000 mutations parse or name the field", () => {
    fc.assert(
      fc.property(mutated(blockJson), (doc) => {
        count("block");
        parsesOrNamesTheField("block.json", () => parseBlock(doc, "block.json"));
      }),
      { numRuns: 6000, seed: 7001 },
    );
  });

  it("transactions: 4,000 mutations parse or name the field", () => {
    fc.assert(
      fc.property(mutated(txJson), (doc) => {
        count("tx");
        parsesOrNamesTheField("tx.json", () => parseTx(doc, "tx.json", "txs[0]"));
      }),
      { numRuns: 4000, seed: 7002 },
    );
  });

  it("genesis files: 4,000 mutations parse and load into a state, or name the field", () => {
    fc.assert(
      fc.property(mutated(genesisJson), (doc) => {
        count("genesis");
        const genesis = parsesOrNamesTheField("genesis.json", () => parseGenesis(doc, "genesis.json"));
        if (genesis !== undefined) parsesOrNamesTheField("genesis.json", () => stateFromGenesis(genesis, "genesis.json"));
      }),
      { numRuns: 4000, seed: 7003 },
    );
  });

  it("damaged JSON text: 2,000 cases name the file", () => {
    const text = JSON.stringify(blockJson);
    fc.assert(
      fc.property(damagedText(text), (t) => {
        count("text");
        const doc = parsesOrNamesTheField("block.json", () => parseJsonText(t, "block.json"), false);
        if (doc !== undefined) parsesOrNamesTheField("block.json", () => parseBlock(doc, "block.json"));
      }),
      { numRuns: 2000, seed: 7004 },
    );
  });

  it("access traces: 4,000 mutations parse, schedule and convert to a block, or name the field", () => {
    const trace = json(readAccessTrace(mainnetTraceFile(930196)));
    fc.assert(
      fc.property(mutated(trace), (doc) => {
        count("trace");
        const parsed = parsesOrNamesTheField("trace.json", () => parseAccessTrace(doc, "trace.json"));
        if (parsed === undefined) return;
        const sets = accessSetsFromTrace(parsed);
        const result = scheduleBlock(sets, { threads: 2 });
        expect(result.toJSON().txs).toBe(parsed.txs.length);
        const w = traceToWorkload(parsed);
        expect(w.block.txs.length).toBe(parsed.txs.length);
      }),
      { numRuns: 4000, seed: 7005 },
    );
  });

  it("congestion states: 2,000 mutations load or name the field", () => {
    const state = json(CongestionState.empty().next({ feeRecipientLocation: "fee", txs: [{ index: 0, reads: [], writes: ["a/x", "b/y"], gas: 3_000_000, class: "exact", feeRecipient: "none" }] }).toJSON());
    fc.assert(
      fc.property(mutated(state), (doc) => {
        count("congestion");
        const loaded = parsesOrNamesTheField("congestion.json", () => CongestionState.fromJSON(doc, "congestion.json"));
        if (loaded !== undefined) expect(Number.isFinite(loaded.multiplier("a/x"))).toBe(true);
      }),
      { numRuns: 2000, seed: 7006 },
    );
  });

  it("mempool lines: 4,000 streams of mutated records run or name the line and field", async () => {
    const records: Json[] = [
      { id: "a", reads: ["t/b/1"], writes: ["t/b/1", "t/b/2"], gas: 50_000, priority: 3 },
      { id: "b", reads: [], writes: ["t/b/2"], gas: 21_000 },
      { include: ["a"] },
      { drop: ["b"] },
      { batch: {} },
      { batch: { maxGas: 100_000, maxTxs: 2 } },
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...records), ...records.map((r) => mutated(r))), { minLength: 1, maxLength: 8 }), async (lines) => {
        count("mempool");
        const text = lines.map((l) => JSON.stringify(l));
        const out: string[] = [];
        try {
          await runMempool(text, {}, (line) => out.push(line));
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          expect(error.shortMessage).toMatch(/^<stdin> line \d+: /);
          expect(error.field).toBeDefined();
          return;
        }
        // A transaction is emitted at most once per time it was added.
        const added = new Map<string, number>();
        for (const l of lines) if (l !== null && typeof l === "object" && !Array.isArray(l) && typeof l.id === "string") added.set(l.id, (added.get(l.id) ?? 0) + 1);
        const emitted = new Map<string, number>();
        for (const l of out) for (const id of (JSON.parse(l) as { txs: string[] }).txs) emitted.set(id, (emitted.get(id) ?? 0) + 1);
        for (const [id, n] of emitted) expect(n, id).toBeLessThanOrEqual(added.get(id) ?? 0);
      }),
      { numRuns: 4000, seed: 7007 },
    );
    // Single lines, including damaged text.
    fc.assert(
      fc.property(damagedText(JSON.stringify(records[0])), (line) => {
        count("mempool");
        try {
          parseMempoolLine(line, 1);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
        }
      }),
      { numRuns: 500, seed: 7008 },
    );
  });
});

describe("fuzzing the pipeline with blocks that still parse", () => {
  const base = generateWorkload("defi", { txs: 16, seed: 5 });
  const genesis = withAccountContract(base.genesis);
  const blockJson = json(blockToJson(base.block));
  let runtime: ContractRuntime;
  let executor: ParallelExecutor;
  let snapshot: ReturnType<ParallelExecutor["state"]["snapshotValues"]>;
  beforeAll(async () => {
    runtime = await ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    executor = await ParallelExecutor.create({ genesis, baseDir: import.meta.dirname, threads: 1, capacity: 1 << 14 });
    snapshot = executor.state.snapshotValues();
  });
  afterAll(async () => {
    await executor?.close();
    // The figures quoted in docs/guarantees.md, "Input".
    process.stdout.write(`fuzz cases: ${JSON.stringify(cases)}\n`);
  });

  it("300 mutated blocks: prepared, analyzed, scheduled and executed without a crash, conserving native currency, identically in both executors", async () => {
    let executed = 0;
    await fc.assert(
      fc.asyncProperty(mutated(blockJson), async (doc) => {
        count("pipeline");
        const block = parsesOrNamesTheField("block.json", () => parseBlock(doc, "block.json"));
        if (block === undefined) return;
        const prepared = parsesOrNamesTheField("block.json", () => prepareBlock(block, runtime, "block.json"));
        if (prepared === undefined) return;
        executed++;
        const state = stateFromGenesis(genesis);
        const supply = nativeSupply(state);
        const declared = blockAccessSets(block, prepared, { checkSignatures: false });
        scheduleBlock(declared, { threads: 2 });
        const sets = await analyzeBlockAccessSets({ block, prepared, runtime, state, checkSignatures: false });
        scheduleBlock(sets, { threads: 4 });
        const sequential = executeBlockSequential({ block, state, runtime, prepared, checkSignatures: false });
        expect(sequential.receipts.length).toBe(block.txs.length);
        expect(nativeSupply(state)).toBe(supply);
        executor.state.restoreValues(snapshot);
        const loaded = await executor.load({ block, prepared, checkSignatures: false });
        const parallel = await executor.execute({ block: loaded as never, mode: "hybrid", checkSignatures: false, events: true, inlineBelowSpeedup: 0 });
        expect(parallel.stateRoot).toBe(sequential.stateRoot);
        expect(comparable(parallel.receipts)).toEqual(comparable(sequential.receipts));
      }),
      { numRuns: 300, seed: 7100 },
    );
    // Most mutations leave a block that still runs: the executor really was exercised.
    expect(executed).toBeGreaterThan(40);
  });

  it("blocks that only change numbers: signatures re-checked, extreme gas limits and prices", async () => {
    const extreme = fc.record({
      tx: fc.nat(base.block.txs.length - 1),
      gasLimit: fc.oneof(fc.constantFrom(0n, 20_999n, 21_000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n), fc.bigInt(0n, 2n ** 64n - 1n)),
      gasPrice: fc.oneof(fc.constantFrom(0n, 1n, 10n ** 30n, (1n << 200n) - 1n), fc.bigInt(0n, 1n << 100n)),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(extreme, { minLength: 1, maxLength: 4 }), async (changes) => {
        count("pipeline");
        const txs = [...base.block.txs];
        for (const c of changes) txs[c.tx] = { ...txs[c.tx]!, gasLimit: c.gasLimit, gasPrice: c.gasPrice };
        const block: Block = { ...base.block, txs };
        const prepared = parsesOrNamesTheField("block.json", () => prepareBlock(parseBlock(json(blockToJson(block)), "block.json"), runtime, "block.json"));
        if (prepared === undefined) return;
        const state = stateFromGenesis(genesis);
        const supply = nativeSupply(state);
        const sequential = executeBlockSequential({ block, state, runtime, prepared, checkSignatures: false });
        expect(nativeSupply(state)).toBe(supply);
        for (const [i, r] of sequential.receipts.entries()) {
          // A fee never exceeds what the sender reserved.
          expect(r.fee <= block.txs[i]!.gasLimit * block.txs[i]!.gasPrice).toBe(true);
        }
      }),
      { numRuns: 200, seed: 7101 },
    );
  });
});
