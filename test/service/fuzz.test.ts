/**
 * HTTP bodies, queries and paths from fast-check: never a crash, a hang or a 5xx; every refusal a
 * 4xx with a message, naming the field when one is at fault; and nothing ever committed.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateFromGenesis } from "../../state/genesis.js";
import { stateRoot } from "../../state/state.js";
import { ROOT } from "../helpers.js";
import { blockBody, defiChain, send, startService, type HttpAnswer, type RunningService } from "./helpers.js";

const chain = defiChain(4, 12, "fuzz");
const base = JSON.parse(JSON.stringify(blockBody(chain.blocks.find((b) => b.txs.length >= 2)!))) as Record<string, any>;
const TX_COUNT = (base.txs as unknown[]).length;
const POSTS = ["/execute", "/analyze", "/schedule", "/mempool/txs", "/mempool/batch"] as const;
const BLOCK_ROUTES = ["/execute", "/analyze", "/schedule"] as const;

/** The shape every answer has: a 2xx, or a 4xx error that says what and (when it knows) where. */
function expectWellFormed(answer: HttpAnswer): void {
  expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
  expect(answer.status, answer.text).toBeLessThan(500);
  expect(answer.json, answer.text).toBeDefined();
  if (answer.status < 400) return;
  const { error, message, field, txIndex } = answer.json as Record<string, unknown>;
  expect(typeof error).toBe("string");
  expect(typeof message).toBe("string");
  expect((message as string).length).toBeGreaterThan(0);
  expect((message as string).length).toBeLessThan(1000);
  if (field !== undefined) {
    expect(typeof field).toBe("string");
    if (error === "invalid_input") expect(message).toContain(field);
  }
  if (txIndex !== undefined) expect(field).toMatch(new RegExp(`^txs\\[${txIndex}\\]`));
}

const wrongType = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));
const notDecimal = fc.oneof(fc.constantFrom("", "-1", "1e5", " 1", "0x10", "1.5", "lots", "01", "9".repeat(100)), fc.string({ maxLength: 8 }).filter((s) => !/^(0|[1-9][0-9]*)$/.test(s)));
const notAddress = fc.oneof(fc.constantFrom("", "0x", `0x${"A".repeat(40)}`, `0x${"0".repeat(39)}`), fc.string({ maxLength: 12 }));

interface Mutation {
  readonly body: Record<string, any>;
  /** The field the answer must name. */
  readonly field: string;
  readonly txIndex?: number;
}

const KNOWN_FIELDS = new Set(["number", "timestamp", "sequencer", "baseFee", "txs", "from", "nonce", "to", "fn", "args", "gasLimit", "gasPrice", "accessList", "signature"]);
const txIndex = fc.integer({ min: 0, max: TX_COUNT - 1 });

/** One change that makes a valid block invalid, and the field the answer must name. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A wrong JSON type for a typed field of the block or of a transaction.
  fc.tuple(fc.constantFrom("number", "timestamp", "sequencer", "baseFee", "txs"), wrongType).map(([key, value]) => {
    const body = structuredClone(base);
    body[key] = value;
    return { body, field: key };
  }),
  fc.tuple(txIndex, fc.constantFrom("from", "nonce", "to", "fn", "args", "gasLimit", "gasPrice", "signature", "accessList"), wrongType).map(([i, key, value]) => {
    const body = structuredClone(base);
    body.txs[i][key] = value;
    return { body, field: `txs[${i}].${key}`, txIndex: i };
  }),
  // An argument that is neither a string, a boolean nor an array.
  fc.tuple(txIndex, fc.oneof(fc.integer(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 1 }))).map(([i, value]) => {
    const body = structuredClone(base);
    body.txs[i].args[0] = value;
    return { body, field: `txs[${i}].args[0]`, txIndex: i };
  }),
  // A string that is not what the field holds.
  fc.tuple(txIndex, fc.constantFrom("nonce", "gasLimit", "gasPrice"), notDecimal).map(([i, key, value]) => {
    const body = structuredClone(base);
    body.txs[i][key] = value;
    return { body, field: `txs[${i}].${key}`, txIndex: i };
  }),
  fc.tuple(txIndex, fc.constantFrom("from", "to"), notAddress).map(([i, key, value]) => {
    const body = structuredClone(base);
    body.txs[i][key] = value;
    return { body, field: `txs[${i}].${key}`, txIndex: i };
  }),
  // A required field left out.
  fc.tuple(txIndex, fc.constantFrom("from", "nonce", "to", "fn", "args", "gasLimit", "gasPrice", "signature")).map(([i, key]) => {
    const body = structuredClone(base);
    delete body.txs[i][key];
    return { body, field: `txs[${i}].${key}`, txIndex: i };
  }),
  fc.constantFrom("timestamp", "sequencer", "baseFee", "txs").map((key) => {
    const body = structuredClone(base);
    delete body[key];
    return { body, field: key };
  }),
  // A field nobody asked for.
  fc.tuple(fc.option(txIndex, { nil: undefined }), fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })).map(([i, key, value]) => {
    const body = structuredClone(base);
    const target = i === undefined ? body : body.txs[i];
    const name = KNOWN_FIELDS.has(key) ? `${key}_` : key;
    Object.defineProperty(target, name, { value, enumerable: true, configurable: true, writable: true });
    return i === undefined ? { body, field: "block" } : { body, field: `txs[${i}]`, txIndex: i };
  }),
  // A call to nothing deployed, or to a function the contract does not have.
  fc.tuple(txIndex, fc.stringMatching(/^[0-9a-f]{40}$/)).map(([i, hex]) => {
    const body = structuredClone(base);
    body.txs[i].to = `0xdead${hex.slice(4)}`;
    return { body, field: `txs[${i}].to`, txIndex: i };
  }),
  fc.tuple(txIndex, fc.string({ minLength: 1, maxLength: 12 })).map(([i, name]) => {
    const body = structuredClone(base);
    body.txs[i].fn = `zz${name}`;
    return { body, field: `txs[${i}].fn`, txIndex: i };
  }),
);

describe("HTTP fuzzing", () => {
  let service: RunningService;
  let url: string;
  const genesisRoot = stateRoot(stateFromGenesis(chain.genesis));
  beforeAll(async () => {
    service = await startService({ genesis: chain.genesis, baseDir: ROOT, threads: 2, bodyLimit: 256 * 1024 });
    url = service.url;
  });
  afterAll(async () => service.close());

  it("a block with one thing wrong: a 400 naming that field (and the transaction)", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom(...BLOCK_ROUTES), async (m, route) => {
        const answer = await send(url, route, { body: JSON.stringify(m.body) });
        expectWellFormed(answer);
        expect(answer.status, answer.text).toBe(400);
        // The field itself, or a part of it (an empty object where an access list belongs lacks its `reads`).
        const field = answer.json.field as string;
        expect(field === m.field || field.startsWith(`${m.field}.`) || field.startsWith(`${m.field}[`), `${field} for ${m.field}`).toBe(true);
        expect(answer.json.txIndex).toBe(m.txIndex);
      }),
      { numRuns: 1200 },
    );
  });

  it("any JSON, any text, to any route: a well-formed answer, never a 5xx", async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
      // Valid documents with a wrong value deep inside, or cut short.
      fc.tuple(mutation, fc.nat()).map(([m, cut]) => JSON.stringify(m.body).slice(0, cut % 2 === 0 ? undefined : cut % 500)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POSTS), body, fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/vnd.api+json"), async (route, text, contentType) => {
        expectWellFormed(await send(url, route, { body: text, contentType }));
      }),
      { numRuns: 1200 },
    );
  });

  it("any query to /schedule and any location to /state: a well-formed answer naming the parameter", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), fc.string({ maxLength: 60 }).filter((l) => l !== "." && l !== ".."), async (query, location) => {
        const search = new URLSearchParams(query).toString();
        const scheduled = await send(url, `/schedule?${search}`, { body: base });
        expectWellFormed(scheduled);
        if (scheduled.status === 400) expect(Object.keys(query)).toContain(scheduled.json.field);
        const read = await send(url, `/state/${encodeURIComponent(location)}`);
        expectWellFormed(read);
        expect([200, 400]).toContain(read.status);
      }),
      { numRuns: 400 },
    );
  });

  it("committed nothing", async () => {
    expect((await send(url, "/health")).json.head).toEqual({ number: "0", stateRoot: genesisRoot });
  });
});
