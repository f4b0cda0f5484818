import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessClassCounts, accessSetsToJson } from "../../cli/commands/analyze.js";
import { runMempool } from "../../cli/commands/mempool.js";
import { resultToJson } from "../../cli/output.js";
import { ACCOUNTS_ADDRESS, nonceLocation } from "../../core/protocol.js";
import { accessSetsFromTrace, parseAccessTrace } from "../../core/trace.js";
import type { Block } from "../../core/types.js";
import { inferAccessSets } from "../../analyzer/analyze.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { analyzeBlockAccessSets } from "../../executor/accessSets.js";
import { prepareBlock } from "../../executor/prepare.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { CongestionState } from "../../scheduler/congestionState.js";
import { scheduleBlock } from "../../scheduler/scheduleBlock.js";
import { stateFromGenesis } from "../../state/genesis.js";
import { stateRoot } from "../../state/state.js";
import { PROMETHEUS_CONTENT_TYPE } from "../../service/metrics.js";
import { ROOT } from "../helpers.js";
import { blockBody, defiChain, parseMetrics, send, sequentialReplay, startService, type RunningService } from "./helpers.js";

const chain = defiChain(4, 60, "endpoints");

describe("the service's endpoints over HTTP", () => {
  let service: RunningService;
  let url: string;
  beforeAll(async () => {
    service = await startService({ genesis: chain.genesis, baseDir: ROOT, threads: 2 });
    url = service.url;
  });
  afterAll(async () => service.close());

  it("GET /health reports the genesis head, the executor and an empty queue", async () => {
    const r = await send(url, "/health");
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.json).toEqual({
      status: "ok",
      head: { number: "0", stateRoot: stateRoot(stateFromGenesis(chain.genesis)) },
      mode: "hybrid",
      threads: 2,
      queueDepth: 0,
      mempool: { pending: 0 },
    });
  });

  it("POST /analyze answers each transaction's access set, as `analyze --json` does", async () => {
    const block: Block = { ...chain.blocks[0]!, number: 1n };
    const r = await send(url, "/analyze", { body: blockBody(block) });
    expect(r.status).toBe(200);
    const runtime = await ContractRuntime.create({ genesis: chain.genesis, baseDir: ROOT });
    const sets = await inferAccessSets({ block, runtime, state: stateFromGenesis(chain.genesis), prepared: prepareBlock(block, runtime), checkSignatures: true, enforce: "fallback" });
    expect(r.json.block).toEqual(JSON.parse(JSON.stringify(accessSetsToJson(sets))));
    expect(r.json.summary.txs).toEqual(accessClassCounts(sets));
    expect(r.json.block.txs[0].reads).toContain(nonceLocation(block.txs[0]!.from));
  });

  it("POST /schedule answers columns, critical path, projections and prices, as `schedule --json` does", async () => {
    const block: Block = { ...chain.blocks[0]!, number: 1n };
    const r = await send(url, "/schedule?threads=2", { body: blockBody(block) });
    expect(r.status).toBe(200);
    const runtime = await ContractRuntime.create({ genesis: chain.genesis, baseDir: ROOT });
    const sets = await analyzeBlockAccessSets({ block, prepared: prepareBlock(block, runtime), runtime, state: stateFromGenesis(chain.genesis), checkSignatures: true, enforce: "fallback" });
    expect(r.json).toEqual(JSON.parse(JSON.stringify(scheduleBlock(sets, { threads: 2, baseFee: block.baseFee }).toJSON())));
    expect(r.json.prices.perTx).toHaveLength(block.txs.length);
    expect(r.json.assignment.threads).toBe(2);
  });

  it("POST /schedule takes an access trace as `schedule --block` does", async () => {
    const trace = {
      format: "access-trace/v1",
      chain: "test",
      block: 7,
      coinbase: "0x00000000000000000000000000000000000000cc",
      headerGasUsed: "63000",
      txs: [0, 1, 2].map((index) => ({
        index,
        hash: `0x${index}`,
        from: `0x00000000000000000000000000000000000000a${index}`,
        to: "0x00000000000000000000000000000000000000bb",
        gasUsed: 21000,
        status: "success",
        reads: ["slot:x"],
        writes: index === 1 ? ["slot:x"] : [],
      })),
    };
    const r = await send(url, "/schedule?baseFee=7", { body: trace });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(JSON.parse(JSON.stringify(scheduleBlock(accessSetsFromTrace(parseAccessTrace(trace, "t")), { baseFee: 7n }).toJSON())));
    expect(r.json.columns).toEqual([[0], [1], [2]]);
  });

  it("POST /execute commits blocks numbered head + 1 with the sequential result; GET /state reads the committed state", async () => {
    const runtime = await ContractRuntime.create({ genesis: chain.genesis, baseDir: ROOT });
    const state = stateFromGenesis(chain.genesis);
    const congestionSets = [];
    for (const [i, b] of chain.blocks.slice(0, 2).entries()) {
      const block: Block = { ...b, number: BigInt(i + 1) };
      const prepared = prepareBlock(block, runtime);
      congestionSets.push(await analyzeBlockAccessSets({ block, prepared, runtime, state, checkSignatures: true }));
      const expected = executeBlockSequential({ block, state, runtime, prepared, events: false });
      // The first block leaves the number to the service, the second names it.
      const r = await send(url, "/execute", { body: blockBody(block, i === 0 ? undefined : block.number) });
      expect(r.status).toBe(200);
      expect(r.json.number).toBe(String(i + 1));
      expect(r.json.stateRoot).toBe(expected.stateRoot);
      const contract = JSON.parse(JSON.stringify(resultToJson(expected, false))) as { receipts: unknown };
      expect(r.json.receipts).toEqual(contract.receipts);
      expect(r.json.stats).toMatchObject({ mode: "hybrid", violations: 0 });
      expect(r.json.projectedSpeedup).toBeGreaterThanOrEqual(1);
      const sender = block.txs[0]!.from;
      const read = await send(url, `/state/${ACCOUNTS_ADDRESS}/nonce/${sender}`);
      expect(read.json).toEqual({ location: nonceLocation(sender), value: String(state.get(nonceLocation(sender))), number: String(i + 1) });
    }
    // URL-encoded slashes name the same location; an empty slot reads as null.
    const encoded = await send(url, `/state/${encodeURIComponent(nonceLocation(chain.blocks[0]!.txs[0]!.from))}`);
    expect(encoded.json.value).toBe(String(state.get(nonceLocation(chain.blocks[0]!.txs[0]!.from))));
    expect((await send(url, `/state/${ACCOUNTS_ADDRESS}/nonce/0x00000000000000000000000000000000000000ff`)).json.value).toBeNull();
    // Fee quotes start from the congestion the committed blocks left behind.
    let congestion = CongestionState.empty();
    for (const sets of congestionSets) congestion = congestion.next(sets);
    const next: Block = { ...chain.blocks[2]!, number: 3n };
    const nextSets = await analyzeBlockAccessSets({ block: next, prepared: prepareBlock(next, runtime), runtime, state, checkSignatures: true });
    const quoted = await send(url, "/schedule", { body: blockBody(next) });
    expect(quoted.json.prices).toEqual(JSON.parse(JSON.stringify(scheduleBlock(nextSets, { baseFee: next.baseFee, congestion }).toJSON().prices)));
    const health = await send(url, "/health");
    expect(health.json.head).toEqual({ number: "2", stateRoot: (await sequentialReplay(chain.genesis, chain.blocks.slice(0, 2))).roots[1] });
  });

  it("POST /mempool/txs and /mempool/batch give the batches `prescient mempool` gives for the same records", async () => {
    const records = [
      { id: "a", reads: ["tok/balances/1"], writes: ["tok/balances/1"], gas: 50_000, priority: 1 },
      { id: "b", reads: ["tok/balances/1"], writes: [], gas: 30_000, priority: 9 },
      { id: "c", reads: ["tok/balances/2"], writes: ["tok/balances/2"], gas: 40_000 },
      { id: "d", reads: [], writes: ["tok/balances/*"], gas: 10_000, priority: 5 },
      { id: "e", reads: ["tok/supply"], writes: [], gas: 20_000 },
    ];
    const cli: string[] = [];
    await runMempool([...records.map((r) => JSON.stringify(r)), '{"batch":{"maxGas":100000}}', '{"drop":["e"]}', '{"batch":{}}', '{"batch":{"maxTxs":1}}'], { drain: false }, (line) => cli.push(line));
    const added = await send(url, "/mempool/txs", { body: records });
    expect(added.json).toEqual({ added: 5, removed: 0, released: 0, pending: 5 });
    const answers: unknown[] = [];
    answers.push((await send(url, "/mempool/batch", { body: { maxGas: 100_000 } })).json);
    expect((await send(url, "/mempool/txs", { body: { drop: ["e"] } })).json).toMatchObject({ added: 0, removed: 1 });
    answers.push((await send(url, "/mempool/batch", { body: {} })).json);
    answers.push((await send(url, "/mempool/batch", { body: { maxTxs: 1 } })).json);
    expect(answers).toEqual(cli.map((line) => JSON.parse(line)));
  });

  it("a batch taken without autoInclude stays in flight until included or released", async () => {
    await send(url, "/mempool/txs", { body: [{ include: ["a", "b", "c", "d"] }] });
    const pending = (await send(url, "/health")).json.mempool.pending;
    await send(url, "/mempool/txs", { body: [{ id: "w1", reads: [], writes: ["k"], gas: 1 }, { id: "w2", reads: ["k"], writes: [], gas: 1 }] });
    const first = await send(url, "/mempool/batch", { body: { autoInclude: false } });
    expect(first.json.txs).toEqual(["w1"]);
    // w2 waits for w1 while w1 is in flight; put back, w1 is handed out again.
    expect((await send(url, "/mempool/batch", { body: { autoInclude: false } })).json.txs).toEqual([]);
    expect((await send(url, "/mempool/txs", { body: { release: ["w1"] } })).json.released).toBe(1);
    expect((await send(url, "/mempool/batch", { body: { autoInclude: false } })).json.txs).toEqual(["w1"]);
    expect((await send(url, "/mempool/txs", { body: { include: ["w1"] } })).json.removed).toBe(1);
    const second = await send(url, "/mempool/batch", { method: "POST" });
    expect(second.json.txs).toEqual(["w2"]);
    expect(second.json.pending).toBe(pending);
  });

  it("random mempool sessions over HTTP give `prescient mempool`'s batches (fast-check)", async () => {
    let session = 0;
    const keys = fc.constantFrom("k0", "k1", "k2", "k3", "p/*");
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ reads: fc.array(keys, { maxLength: 2 }), writes: fc.array(keys, { maxLength: 2 }), gas: fc.integer({ min: 1, max: 9 }), priority: fc.integer({ min: 0, max: 3 }) }).map((tx) => ({ kind: "add" as const, tx })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom("include", "drop", "release"), fc.array(fc.nat(12), { maxLength: 2 })).map(([kind, ids]) => ({ kind, ids })) },
      { weight: 2, arbitrary: fc.record({ maxGas: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), maxTxs: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }).map((b) => ({ kind: "batch" as const, ...b })) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
        session++;
        let added = 0;
        const id = (n: number) => `s${session}-${n}`;
        const lines: string[] = [];
        const requests: { path: string; body: unknown }[] = [];
        for (const o of ops) {
          if (o.kind === "add") {
            const record = { id: id(added++), ...o.tx };
            lines.push(JSON.stringify(record));
            requests.push({ path: "/mempool/txs", body: record });
          } else if (o.kind === "batch") {
            const options = { ...(o.maxGas !== undefined ? { maxGas: o.maxGas } : {}), ...(o.maxTxs !== undefined ? { maxTxs: o.maxTxs } : {}) };
            lines.push(JSON.stringify({ batch: options }));
            requests.push({ path: "/mempool/batch", body: options });
          } else {
            const record = { [o.kind]: o.ids.map(id) };
            lines.push(JSON.stringify(record));
            requests.push({ path: "/mempool/txs", body: [record] });
          }
        }
        const expected: { txs: string[]; gas: number; pending: number }[] = [];
        await runMempool(lines, { drain: true }, (line) => expected.push(JSON.parse(line)));
        const got: unknown[] = [];
        for (const r of requests) {
          const answer = await send(url, r.path, { body: r.body });
          expect(answer.status, answer.text).toBe(200);
          if (r.path === "/mempool/batch") got.push(answer.json);
        }
        // Drain as the command does at the end of its input.
        for (;;) {
          const answer = (await send(url, "/mempool/batch", { body: {} })).json;
          if (answer.txs.length === 0) break;
          got.push(answer);
        }
        const shape = (b: any) => ({ txs: b.txs, gas: b.gas, pending: b.pending });
        expect(got.map(shape)).toEqual(expected.map(shape));
      }),
      { numRuns: 60 },
    );
  });

  it("GET /metrics is Prometheus text: blocks, transactions, speedups, queue and responses", async () => {
    const r = await send(url, "/metrics");
    expect(r.status).toBe(200);
    expect(r.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    const m = parseMetrics(r.text);
    const txs = chain.blocks[0]!.txs.length + chain.blocks[1]!.txs.length;
    expect(m.get("prescient_blocks_total")).toBe(2);
    expect(m.get("prescient_head_block_number")).toBe(2);
    expect(["success", "revert", "out-of-gas", "invalid"].reduce((sum, s) => sum + m.get(`prescient_txs_total{status="${s}"}`)!, 0)).toBe(txs);
    expect(m.get('prescient_txs_total{status="invalid"}')).toBe(0);
    expect(m.get("prescient_tx_executions_total")).toBe(txs);
    expect(m.get("prescient_tx_aborts_total")).toBe(0);
    expect(m.get("prescient_access_list_violations_total")).toBe(0);
    expect(m.get("prescient_last_block_projected_speedup")).toBeGreaterThanOrEqual(1);
    expect(m.get("prescient_projected_speedup_average")).toBeGreaterThanOrEqual(1);
    expect(m.get('prescient_http_responses_total{route="/execute",status="200"}')).toBe(2);
    expect(m.get("prescient_commit_queue_depth")).toBe(0);
    expect(m.get('prescient_info{mode="hybrid",threads="2"}')).toBe(1);
    // Measured speedups exist only when the service measures the sequential baseline.
    expect(m.has("prescient_speedup_average")).toBe(false);
    // Every family is declared once with its type, before its samples.
    const types = r.text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(new Set(types).size).toBe(types.length);
  });
});

describe("the service in every executor mode", () => {
  for (const mode of ["sequential", "columns", "blockstm"] as const) {
    it(`${mode}: the committed roots are the sequential replay's`, async () => {
      const service = await startService({ genesis: chain.genesis, baseDir: ROOT, mode, threads: 2 });
      try {
        const { roots } = await sequentialReplay(chain.genesis, chain.blocks);
        for (const [i, block] of chain.blocks.entries()) {
          const r = await send(service.url, "/execute", { body: blockBody(block) });
          expect(r.json).toMatchObject({ number: String(i + 1), stateRoot: roots[i], stats: { mode } });
        }
      } finally {
        await service.close();
      }
    });
  }

  it("measuring the sequential baseline: every block's root checked, measured speedups in the metrics", async () => {
    const service = await startService({ genesis: chain.genesis, baseDir: ROOT, threads: 2, measureSequential: true });
    try {
      for (const block of chain.blocks) {
        const r = await send(service.url, "/execute", { body: blockBody(block) });
        expect(r.json.sequential.stateRoot).toBe(r.json.stateRoot);
        expect(r.json.sequential.speedup).toBeGreaterThan(0);
      }
      const m = parseMetrics((await send(service.url, "/metrics")).text);
      expect(m.get("prescient_state_root_mismatches_total")).toBe(0);
      expect(m.get("prescient_speedup_average")).toBeGreaterThan(0);
      expect(m.get("prescient_last_block_speedup")).toBeGreaterThan(0);
      expect(m.get("prescient_sequential_execution_seconds_total")).toBeGreaterThan(0);
    } finally {
      await service.close();
    }
  });
});
