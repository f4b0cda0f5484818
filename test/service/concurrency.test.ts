import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Block } from "../../core/types.js";
import { Chain, type CommitBlockParameters } from "../../chain/chain.js";
import { ROOT } from "../helpers.js";
import { blockBody, defiChain, parseMetrics, send, sequentialReplay, startService, ForwardingChain, type RunningService } from "./helpers.js";

/** A chain that records how many commits ever ran at once, and in which order. */
class ProbeChain extends ForwardingChain {
  active = 0;
  maxActive = 0;
  readonly committed: bigint[] = [];
  override async commitBlock(parameters: CommitBlockParameters) {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      // Yield to the event loop first: a second commit let in now would overlap this one.
      await new Promise((resolve) => setImmediate(resolve));
      const committed = await this.inner.commitBlock(parameters);
      this.committed.push(parameters.block.number);
      return committed;
    } finally {
      this.active--;
    }
  }
}

const BLOCKS = 50;
const chain = defiChain(BLOCKS, 200, "concurrency");

describe("concurrent requests", () => {
  let probe: ProbeChain;
  let service: RunningService;
  beforeAll(async () => {
    probe = new ProbeChain(await Chain.open({ genesis: chain.genesis, baseDir: ROOT, threads: 2 }));
    service = await startService({ chain: probe });
  });
  afterAll(async () => service.close());

  it(`${BLOCKS} concurrent /execute requests commit one block at a time, lose none, and equal a sequential replay in commit order`, async () => {
    // Malformed requests race the good ones and change nothing.
    const bad = Array.from({ length: 10 }, (_, i) => send(service.url, "/execute", { body: { ...blockBody(chain.blocks[i]!), timestamp: i } }));
    const schedules = Array.from({ length: 10 }, () => send(service.url, "/schedule", { body: blockBody(chain.blocks[0]!) }));
    const answers = await Promise.all(
      chain.blocks.map(async (block) => {
        const executed = await send(service.url, "/execute", { body: blockBody(block) });
        // Whoever got an answer reads a head at least that new.
        const health = await send(service.url, "/health");
        return { block, executed, healthNumber: Number(health.json.head.number) };
      }),
    );
    for (const b of await Promise.all(bad)) expect(b.status).toBe(400);
    // Schedules asked for meanwhile see the same access sets whatever is committing.
    const scheduled = await Promise.all(schedules);
    for (const s of scheduled) expect(s.status, s.text).toBe(200);
    expect(new Set(scheduled.map((s) => JSON.stringify(s.json.columns))).size).toBe(1);
    for (const a of answers) expect(a.executed.status, a.executed.text).toBe(200);
    const numbers = answers.map((a) => Number(a.executed.json.number));
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: BLOCKS }, (_, i) => i + 1));
    for (const a of answers) expect(a.healthNumber).toBeGreaterThanOrEqual(Number(a.executed.json.number));
    expect(probe.maxActive).toBe(1);
    expect(probe.committed).toEqual(Array.from({ length: BLOCKS }, (_, i) => BigInt(i + 1)));

    const inCommitOrder: Block[] = [];
    for (const a of answers) inCommitOrder[Number(a.executed.json.number) - 1] = a.block;
    const { roots } = await sequentialReplay(chain.genesis, inCommitOrder);
    for (const a of answers) expect(a.executed.json.stateRoot).toBe(roots[Number(a.executed.json.number) - 1]);
    expect((await send(service.url, "/health")).json.head).toEqual({ number: String(BLOCKS), stateRoot: roots[BLOCKS - 1] });
    const m = parseMetrics((await send(service.url, "/metrics")).text);
    expect(m.get("prescient_blocks_total")).toBe(BLOCKS);
    expect(["success", "revert", "out-of-gas", "invalid"].reduce((sum, s) => sum + m.get(`prescient_txs_total{status="${s}"}`)!, 0)).toBe(200);
    expect(m.get('prescient_txs_total{status="invalid"}')).toBe(0);
  });

  it("of racing blocks that name the same number, exactly one commits; the others get a 409 and commit nothing", async () => {
    const next = BLOCKS + 1;
    const rivals = chain.blocks.slice(0, 8).map((b) => ({ ...b, txs: [] }));
    const answers = await Promise.all(rivals.map((b, i) => send(service.url, "/execute", { body: { ...blockBody(b, BigInt(next)), timestamp: String(1_800_000_000 + i) } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(rivals.length - 1);
    for (const r of refused) expect(r.json).toMatchObject({ error: "block_number_conflict", field: "number" });
    expect((await send(service.url, "/health")).json.head.number).toBe(String(next));
  });
});
