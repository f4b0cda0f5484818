import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.js";
import { Mempool, type MempoolTx } from "../../scheduler/index.js";
import { runMempool } from "../../cli/commands/mempool.js";
import { overlaps } from "./oracle.js";

function conflict(a: MempoolTx, b: MempoolTx): boolean {
  const any = (xs: readonly string[], ys: readonly string[]) => xs.some((x) => ys.some((y) => overlaps(x, y)));
  return any(a.writes, b.writes) || any(a.writes, b.reads) || any(a.reads, b.writes);
}

const entry = fc.constantFrom("t/b/a", "t/b/b", "t/b/c", "t/s", "hot", "t/b/*", "t/*", "p/r");
const txBody = fc.record({
  reads: fc.uniqueArray(entry, { maxLength: 3 }),
  writes: fc.uniqueArray(entry, { maxLength: 2 }),
  gas: fc.integer({ min: 1, max: 100 }),
  priority: fc.integer({ min: 0, max: 3 }),
});
type Op = { kind: "add"; body: Omit<MempoolTx, "id"> } | { kind: "batch"; maxGas: number } | { kind: "include"; pick: number } | { kind: "drop"; pick: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: txBody.map((body) => ({ kind: "add" as const, body })) },
  { weight: 2, arbitrary: fc.integer({ min: 50, max: 300 }).map((maxGas) => ({ kind: "batch" as const, maxGas })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: "include" as const, pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: "drop" as const, pick })) },
);

describe("Mempool", () => {
  it("hands out only ready, mutually non-conflicting txs, by priority, and drains completely", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, allowDrops) => {
        const pool = new Mempool();
        const pending: MempoolTx[] = []; // arrival order, not yet removed
        const inFlight = new Set<string>();
        let dropped = false;
        let next = 0;
        for (const o of ops) {
          if (o.kind === "add") {
            const tx = { id: `t${next++}`, ...o.body };
            pool.add(tx);
            pending.push(tx);
          } else if (o.kind === "batch") {
            const batch = pool.nextBatch(o.maxGas);
            const ids = batch.txs.map((t) => t.id);
            for (let x = 0; x < batch.txs.length; x++) {
              const t = batch.txs[x]!;
              expect(inFlight.has(t.id)).toBe(false);
              for (let y = x + 1; y < batch.txs.length; y++) expect(conflict(t, batch.txs[y]!)).toBe(false);
              const position = pending.findIndex((p) => p.id === t.id);
              for (const earlier of pending.slice(0, position)) expect(conflict(earlier, t)).toBe(false);
              if (x > 0) {
                const prev = batch.txs[x - 1]!;
                expect((prev.priority ?? 0) >= (t.priority ?? 0)).toBe(true);
              }
            }
            if (batch.txs.length > 1) expect(batch.gas).toBeLessThanOrEqual(o.maxGas);
            for (const id of ids) inFlight.add(id);
          } else if (o.kind === "include" && inFlight.size > 0) {
            const id = [...inFlight][o.pick % inFlight.size]!;
            inFlight.delete(id);
            pool.remove(id);
            pending.splice(pending.findIndex((p) => p.id === id), 1);
          } else if (o.kind === "drop" && allowDrops && pending.length > 0) {
            const victim = pending[o.pick % pending.length]!;
            dropped = true;
            inFlight.delete(victim.id);
            pool.remove(victim.id);
            pending.splice(pending.indexOf(victim), 1);
          }
          expect(pool.size).toBe(pending.length);
          if (!dropped) {
            // Without out-of-order drops, readiness is exactly "no conflicting earlier pending tx".
            pending.forEach((t, k) => {
              const expected = !inFlight.has(t.id) && pending.slice(0, k).every((e) => !conflict(e, t));
              expect(pool.isReady(t.id)).toBe(expected);
            });
          }
        }
        for (const id of inFlight) pool.remove(id);
        let guard = 0;
        while (pool.size > 0) {
          const batch = pool.nextBatch();
          expect(batch.txs.length).toBeGreaterThan(0);
          for (const t of batch.txs) pool.remove(t.id);
          expect(guard++).toBeLessThan(200);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("orders by priority, ties by arrival, and unblocks dependents on removal", () => {
    const pool = new Mempool();
    pool.add({ id: "a", reads: [], writes: ["x"], gas: 10 });
    pool.add({ id: "b", reads: ["x"], writes: ["y"], gas: 10, priority: 9 });
    pool.add({ id: "c", reads: [], writes: ["z"], gas: 10, priority: 5 });
    pool.add({ id: "d", reads: [], writes: ["w"], gas: 10, priority: 5 });
    expect(pool.nextBatch().txs.map((t) => t.id)).toEqual(["c", "d", "a"]);
    expect(pool.nextBatch().txs).toEqual([]);
    pool.remove("a");
    expect(pool.nextBatch().txs.map((t) => t.id)).toEqual(["b"]);
  });

  it("respects the gas budget and hands an oversized tx out alone", () => {
    const pool = new Mempool();
    pool.add({ id: "big", reads: [], writes: ["a"], gas: 500, priority: 2 });
    pool.add({ id: "s1", reads: [], writes: ["b"], gas: 40, priority: 1 });
    pool.add({ id: "s2", reads: [], writes: ["c"], gas: 40, priority: 1 });
    expect(pool.nextBatch(100).txs.map((t) => t.id)).toEqual(["big"]);
    expect(pool.nextBatch(60).txs.map((t) => t.id)).toEqual(["s1"]);
    pool.release("s1");
    expect(pool.nextBatch(100).txs.map((t) => t.id)).toEqual(["s1", "s2"]);
  });

  it("keeps ordering through a dropped tx that was still waiting", () => {
    const pool = new Mempool();
    pool.add({ id: "w1", reads: [], writes: ["k"], gas: 1 });
    pool.add({ id: "r", reads: ["k"], writes: [], gas: 1 });
    pool.add({ id: "w2", reads: [], writes: ["k"], gas: 1 });
    pool.remove("r"); // dropped while blocked: w2 must still wait for w1
    expect(pool.nextBatch().txs.map((t) => t.id)).toEqual(["w1"]);
    pool.remove("w1");
    expect(pool.nextBatch().txs.map((t) => t.id)).toEqual(["w2"]);
    expect(pool.size).toBe(1); // handed out, not yet included
    pool.remove("w2");
    expect(pool.size).toBe(0);
  });
});

describe("mempool command", () => {
  it("replays NDJSON: batches on request, includes, drains at end", async () => {
    const input = [
      '{"id":"t1","reads":["tok/b/alice"],"writes":["tok/b/alice","tok/b/bob"],"gas":50000,"priority":1}',
      '{"id":"t2","reads":["tok/b/carol"],"writes":["tok/b/carol","tok/b/dave"],"gas":50000}',
      '{"id":"t3","reads":["tok/b/bob"],"writes":["tok/b/bob","tok/b/erin"],"gas":50000,"priority":7}',
      "",
      '{"id":"t4","reads":[],"writes":["tok/b/*"],"gas":80000}',
      '{"batch":{}}',
      '{"id":"t5","reads":["pool/r"],"writes":["pool/r"],"gas":120000,"priority":3}',
    ];
    const out: string[] = [];
    const summary = await runMempool(input, { maxGas: 1_000_000 }, (line) => out.push(line));
    const batches = out.map((l) => JSON.parse(l) as { batch: number; txs: string[]; gas: number; pending: number });
    expect(batches.map((b) => b.txs)).toEqual([["t1", "t2"], ["t3", "t5"], ["t4"]]);
    expect(batches[0]).toEqual({ batch: 1, txs: ["t1", "t2"], gas: 100000, pending: 2 });
    expect(summary).toEqual({ lines: 7, added: 5, batches: 3, pending: 0 });
  });

  it("waits for include lines with --no-auto-include", async () => {
    const out: string[] = [];
    await runMempool(
      [
        '{"id":"a","reads":[],"writes":["k"],"gas":1}',
        '{"id":"b","reads":["k"],"writes":[],"gas":1}',
        '{"batch":{}}',
        '{"batch":{}}',
        '{"include":["a"]}',
        '{"batch":{"maxTxs":1}}',
      ],
      { autoInclude: false, drain: false },
      (line) => out.push(line),
    );
    expect(out.map((l) => (JSON.parse(l) as { txs: string[] }).txs)).toEqual([["a"], [], ["b"]]);
  });

  it("rejects a malformed line with its number and field", async () => {
    const run = runMempool(['{"id":"a","reads":[],"writes":[],"gas":1}', '{"id":"b","reads":[],"writes":[],"gas":"lots"}'], {}, () => {});
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/<stdin> line 2: gas/);
    await expect(runMempool(["{not json"], {}, () => {})).rejects.toThrow(/line 1.*malformed JSON/);
    await expect(runMempool(['{"include":"a"}'], {}, () => {})).rejects.toThrow(/line 1: include/);
    await expect(
      runMempool(['{"id":"a","reads":[],"writes":[],"gas":1}', '{"id":"a","reads":[],"writes":[],"gas":1}'], {}, () => {}),
    ).rejects.toThrow(/line 2: id/);
  });

  it("refuses to re-add a removed transaction that still orders others, as input (not a crash)", async () => {
    const k = (id: string) => JSON.stringify({ id, reads: [], writes: ["k"], gas: 1 });
    const run = runMempool([k("a"), k("b"), '{"drop":["b"]}', k("b")], {}, () => {});
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/line 4: id: transaction "b" was removed while it waited on earlier transactions/);
  });

  it("puts released transactions back", async () => {
    const out: string[] = [];
    await runMempool(
      ['{"id":"a","reads":[],"writes":["k"],"gas":1}', '{"id":"b","reads":["k"],"writes":[],"gas":1}', '{"batch":{}}', '{"release":["a"]}', '{"batch":{}}', '{"include":["a"]}', '{"batch":{}}'],
      { autoInclude: false, drain: false },
      (line) => out.push(line),
    );
    expect(out.map((l) => (JSON.parse(l) as { txs: string[] }).txs)).toEqual([["a"], ["a"], ["b"]]);
  });
});
