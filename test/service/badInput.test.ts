import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nonceLocation } from "../../core/protocol.js";
import type { Block } from "../../core/types.js";
import { Chain, type CommitBlockParameters } from "../../chain/chain.js";
import { stateFromGenesis } from "../../state/genesis.js";
import { stateRoot } from "../../state/state.js";
import { ROOT, capacityJustAbove } from "../helpers.js";
import { blockBody, defiChain, parseMetrics, send, startService, type HttpAnswer, ForwardingChain, type RunningService, type SendParameters } from "./helpers.js";

const chain = defiChain(2, 12, "bad-input");
const BODY_LIMIT = 64 * 1024;
const genesisRoot = stateRoot(stateFromGenesis(chain.genesis));

function valid(): Record<string, any> {
  return JSON.parse(JSON.stringify(blockBody(chain.blocks[0]!)));
}

function withTx(index: number, change: (tx: Record<string, unknown>) => void): Record<string, any> {
  const body = valid();
  change(body.txs[index]);
  return body;
}

function nested(depth: number): unknown {
  let value: unknown = "1";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

interface Expected {
  readonly status: number;
  readonly error: string;
  readonly message: RegExp;
  readonly field?: string;
  readonly txIndex?: number;
}

function expectError(answer: HttpAnswer, expected: Expected): void {
  expect(answer.status, answer.text).toBe(expected.status);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(answer.json.error).toBe(expected.error);
  expect(answer.json.message).toMatch(expected.message);
  expect(answer.json.field).toBe(expected.field);
  expect(answer.json.txIndex).toBe(expected.txIndex);
  // A client error is never a stack trace.
  expect(answer.text).not.toMatch(/\n\s+at /);
}

describe("bad input over HTTP: a clear 4xx, nothing committed", () => {
  let service: RunningService;
  let url: string;
  beforeAll(async () => {
    service = await startService({ genesis: chain.genesis, baseDir: ROOT, threads: 2, bodyLimit: BODY_LIMIT });
    url = service.url;
  });
  afterAll(async () => service.close());

  const cases: { name: string; path?: string; send: () => SendParameters; expected: Expected }[] = [
    { name: "malformed JSON", send: () => ({ body: '{"timestamp":' }), expected: { status: 400, error: "invalid_input", message: /^request body: malformed JSON: / } },
    { name: "an empty body", send: () => ({ body: "" }), expected: { status: 400, error: "invalid_input", message: /body is empty/ } },
    { name: "a body that is not JSON", send: () => ({ body: "timestamp=1", contentType: "application/x-www-form-urlencoded" }), expected: { status: 415, error: "unsupported_media_type", message: /content-type: application\/json/ } },
    { name: "an array for a block", send: () => ({ body: [] }), expected: { status: 400, error: "invalid_input", message: /^request body: block: .*object/, field: "block" } },
    {
      name: "a wrong type in a transaction",
      send: () => ({ body: withTx(1, (tx) => (tx.gasLimit = 5)) }),
      expected: { status: 400, error: "invalid_input", message: /^request body: txs\[1\]\.gasLimit: expected a decimal string, got 5$/, field: "txs[1].gasLimit", txIndex: 1 },
    },
    { name: "a missing field", send: () => ({ body: withTx(0, (tx) => delete tx.signature) }), expected: { status: 400, error: "invalid_input", message: /txs\[0\]\.signature: is required/, field: "txs[0].signature", txIndex: 0 } },
    { name: "an unknown field", send: () => ({ body: { ...valid(), gasTarget: "1" } }), expected: { status: 400, error: "invalid_input", message: /unknown field\(s\) "gasTarget"/, field: "block" } },
    { name: "a __proto__ key", send: () => ({ body: `{"__proto__":{"polluted":true},${JSON.stringify(valid()).slice(1)}` }), expected: { status: 400, error: "invalid_input", message: /unknown field\(s\) "__proto__"/, field: "block" } },
    { name: "a bad block number", send: () => ({ body: { number: "one", ...valid() } }), expected: { status: 400, error: "invalid_input", message: /number: expected a decimal string/, field: "number" } },
    {
      name: "an unknown contract",
      send: () => ({ body: withTx(2, (tx) => (tx.to = "0x000000000000000000000000000000000000dead")) }),
      expected: { status: 400, error: "invalid_input", message: /txs\[2\]\.to: unknown contract: no contract is deployed at 0x0+dead/, field: "txs[2].to", txIndex: 2 },
    },
    {
      name: "an unknown function",
      send: () => ({ body: withTx(0, (tx) => (tx.fn = "mintEverything")) }),
      expected: { status: 400, error: "invalid_input", message: /txs\[0\]\.fn: unknown function "mintEverything"/, field: "txs[0].fn", txIndex: 0 },
    },
    { name: "arguments of the wrong shape", send: () => ({ body: withTx(0, (tx) => (tx.args = [])) }), expected: { status: 400, error: "invalid_input", message: /txs\[0\]\.args/, field: "txs[0].args", txIndex: 0 } },
    {
      name: "nesting deeper than any block needs",
      send: () => ({ body: withTx(0, (tx) => (tx.args = [nested(40)])) }),
      expected: { status: 400, error: "invalid_input", message: /nested deeper than 32 levels/, field: `txs[0].args${"[0]".repeat(29)}` },
    },
    { name: "a body over the limit", send: () => ({ body: { ...valid(), pad: "x".repeat(BODY_LIMIT) } }), expected: { status: 413, error: "body_too_large", message: new RegExp(`limit of ${BODY_LIMIT} bytes`) } },
    { name: "a chunked body over the limit", send: () => ({ body: { ...valid(), pad: "x".repeat(4 * BODY_LIMIT) }, chunked: true }), expected: { status: 413, error: "body_too_large", message: /larger than the limit/ } },
    { name: "a block number that is not head + 1", send: () => ({ body: blockBody(chain.blocks[0]!, 5n) }), expected: { status: 409, error: "block_number_conflict", message: /block number 5 is not the next block: the head is 0, so the next block is 1/, field: "number" } },
    { name: "an unknown query parameter", path: "/execute?dryRun=1", send: () => ({ body: valid() }), expected: { status: 400, error: "invalid_input", message: /^query: dryRun: this route takes no query parameters/, field: "dryRun" } },
    { name: "a bad thread count", path: "/schedule?threads=0", send: () => ({ body: valid() }), expected: { status: 400, error: "invalid_input", message: /query: threads: expected a whole number/, field: "threads" } },
    { name: "a bad base fee", path: "/schedule?baseFee=-1", send: () => ({ body: valid() }), expected: { status: 400, error: "invalid_input", message: /query: baseFee: expected a decimal integer/, field: "baseFee" } },
    { name: "an unknown function to /analyze", path: "/analyze", send: () => ({ body: withTx(1, (tx) => (tx.fn = "nope")) }), expected: { status: 400, error: "invalid_input", message: /unknown function "nope"/, field: "txs[1].fn", txIndex: 1 } },
    {
      name: "a trace with a misplaced index to /schedule",
      path: "/schedule",
      send: () => ({ body: { format: "access-trace/v1", chain: "t", block: 1, coinbase: `0x${"c".repeat(40)}`, headerGasUsed: "1", txs: [{ index: 3, hash: "0x", from: `0x${"a".repeat(40)}`, to: null, gasUsed: 1, status: "success", reads: [], writes: [] }] } }),
      expected: { status: 400, error: "invalid_input", message: /txs\[0\]\.index: expected index 0, found 3/, field: "txs[0].index", txIndex: 0 },
    },
    { name: "a mempool record of the wrong type", path: "/mempool/txs", send: () => ({ body: [{ id: "x", reads: [], writes: [], gas: 1 }, { id: "y", reads: [], writes: [], gas: "ten" }] }), expected: { status: 400, error: "invalid_input", message: /request body: \[1\]\.gas: /, field: "[1].gas" } },
    { name: "a batch record sent to /mempool/txs", path: "/mempool/txs", send: () => ({ body: { batch: {} } }), expected: { status: 400, error: "invalid_input", message: /POST \/mempool\/batch/, field: "batch" } },
    {
      name: "an id twice in one mempool request",
      path: "/mempool/txs",
      send: () => ({ body: [{ id: "x", reads: [], writes: [], gas: 1 }, { id: "x", reads: [], writes: [], gas: 1 }] }),
      expected: { status: 409, error: "conflict", message: /"x" is named earlier in this request/, field: "[1].id" },
    },
    { name: "a batch size of zero", path: "/mempool/batch", send: () => ({ body: { maxTxs: 0 } }), expected: { status: 400, error: "invalid_input", message: /maxTxs: expected a positive integer/, field: "maxTxs" } },
    { name: "an unknown batch option", path: "/mempool/batch", send: () => ({ body: { maxGas: 5, drain: true } }), expected: { status: 400, error: "invalid_input", message: /unknown field\(s\) "drain"/, field: "(body)" } },
    { name: "a wildcard location", path: "/state/0xabc/balances/*", send: () => ({ method: "GET" }), expected: { status: 400, error: "invalid_input", message: /wildcard/, field: "location" } },
    { name: "no location", path: "/state/", send: () => ({ method: "GET" }), expected: { status: 400, error: "invalid_input", message: /name a location/, field: "location" } },
    { name: "a route that does not exist", path: "/blocks", send: () => ({ method: "GET" }), expected: { status: 404, error: "not_found", message: /no route GET \/blocks; the service answers POST \/analyze/ } },
    { name: "the wrong method", path: "/execute", send: () => ({ method: "GET" }), expected: { status: 405, error: "method_not_allowed", message: /^GET is not allowed on \/execute; it answers POST$/ } },
    { name: "a URL that does not decode", path: "/state/%ZZ", send: () => ({ method: "GET" }), expected: { status: 400, error: "bad_url", message: /the URL is not valid/ } },
    { name: "a URL larger than the headers may be", path: `/state/${"a".repeat(20_000)}`, send: () => ({ method: "GET" }), expected: { status: 431, error: "headers_too_large", message: /larger than the server accepts/ } },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.expected.status} ${c.expected.error}`, async () => {
      expectError(await send(url, c.path ?? "/execute", c.send()), c.expected);
    });
  }

  it("bytes that are not HTTP: 400 bad_request in the same shape, and the connection closes", async () => {
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("HELLO prescient\r\n\r\n"));
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({ error: "bad_request", message: "the request is not valid HTTP" });
  });

  it("left the head, the metrics and the mempool as they were", async () => {
    const health = await send(url, "/health");
    expect(health.json.head).toEqual({ number: "0", stateRoot: genesisRoot });
    expect(health.json.mempool.pending).toBe(0);
    const m = parseMetrics((await send(url, "/metrics")).text);
    expect(m.get("prescient_blocks_total")).toBe(0);
    expect(m.get('prescient_http_responses_total{route="/execute",status="413"}')).toBe(2);
    // and the service still commits a good block.
    const r = await send(url, "/execute", { body: blockBody(chain.blocks[0]!) });
    expect(r.status).toBe(200);
    expect(r.json.number).toBe("1");
  });
});

/** A chain that fails on demand, in front of a real one. */
class FailingChain extends ForwardingChain {
  failNext = false;
  override async commitBlock(parameters: CommitBlockParameters) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk on fire");
    }
    return this.inner.commitBlock(parameters);
  }
}

describe("a block that fails inside prescient", () => {
  it("is a 500 without a stack, logged, and commits nothing; the next block commits", async () => {
    const logged: string[] = [];
    const failing = new FailingChain(await Chain.open({ genesis: chain.genesis, baseDir: ROOT, threads: 1 }));
    const service = await startService({ chain: failing, mode: "sequential", log: { destination: { write: (line: string) => logged.push(line) } } });
    try {
      failing.failNext = true;
      const r = await send(service.url, "/execute", { body: blockBody(chain.blocks[0]!) });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ error: "internal_error", message: "internal error in prescient; the service log has the details" });
      // One JSON line, at error level, with the stack (the client never sees it).
      const problem = logged.map((line) => JSON.parse(line)).find((entry) => entry.msg === "internal error on POST /execute");
      expect(problem).toMatchObject({ level: 50, err: { type: "Error", message: "disk on fire" } });
      expect(problem.err.stack).toMatch(/^Error: disk on fire\n\s+at /);
      expect((await send(service.url, "/health")).json.head).toEqual({ number: "0", stateRoot: genesisRoot });
      expect((await send(service.url, "/execute", { body: blockBody(chain.blocks[0]!) })).json.number).toBe("1");
    } finally {
      await service.close();
    }
  });

  for (const mode of ["sequential", "hybrid"] as const) {
    it(`${mode}: a state that fills up mid-block goes back to the pre-block values`, async () => {
      const block: Block = chain.blocks[1]!;
      const sender = block.txs[0]!.from;
      // Room for the genesis and about two more locations (ids and key characters, 96 per
      // location): the block needs more, after its first transactions ran.
      const capacity = capacityJustAbove(chain.genesis, 2);
      const service = await startService({ genesis: chain.genesis, baseDir: ROOT, mode, threads: 2, capacity });
      try {
        const r = await send(service.url, "/execute", { body: blockBody(block) });
        expect(r.status).toBe(500);
        expect((await send(service.url, "/health")).json.head).toEqual({ number: "0", stateRoot: genesisRoot });
        expect((await send(service.url, `/state/${nonceLocation(sender)}`)).json.value).toBeNull();
      } finally {
        await service.close();
      }
    });
  }
});
