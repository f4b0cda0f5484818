/**
 * What the service tests share: a running service on an ephemeral loopback port, a JSON client
 * over real HTTP, a DeFi chain whose blocks commit in any order with valid nonces, and the
 * sequential replay the service's results are checked against.
 */
import { request as httpRequest } from "node:http";
import { blockToJson } from "../../core/schema.js";
import type { Block, Genesis, Tx } from "../../core/types.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { prepareBlock } from "../../executor/prepare.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { createService, type CreateServiceParameters } from "../../service/createService.js";
import { stateFromGenesis, withAccountContract } from "../../state/genesis.js";
import { generateWorkload } from "../../workloads/index.js";
import type { Chain, CommitBlockParameters } from "../../chain/chain.js";
import type { ServiceChain } from "../../service/chain.js";
import { ROOT } from "../helpers.js";

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

export async function startService(parameters: CreateServiceParameters): Promise<RunningService> {
  const app = await createService(parameters);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
}

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body as JSON (undefined when it is not JSON). */
  readonly json: any;
}

export interface SendParameters {
  readonly method?: string;
  /** An object is sent as JSON; a string is sent as it is. */
  readonly body?: unknown;
  readonly contentType?: string;
  /** Send the body in chunks without a content-length. */
  readonly chunked?: boolean;
}

/** One HTTP request on loopback; never waits more than 30 s (a hang fails the test). */
export function send(url: string, path: string, parameters: SendParameters = {}): Promise<HttpAnswer> {
  const { body } = parameters;
  const payload = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const headers: Record<string, string> = {};
  if (payload !== undefined) {
    headers["content-type"] = parameters.contentType ?? "application/json";
    if (parameters.chunked !== true) headers["content-length"] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, url), { method: parameters.method ?? (payload === undefined ? "GET" : "POST"), headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${path} within 30 s`)));
    // The server may answer (413) and close before the whole body is written.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    if (payload !== undefined && parameters.chunked === true) {
      for (let at = 0; at < payload.length; at += 64 * 1024) req.write(payload.subarray(at, at + 64 * 1024));
    } else if (payload !== undefined) {
      req.write(payload);
    }
    req.end();
  });
}

/** A block as a client sends it: JSON, without a number unless one is given. */
export function blockBody(block: Block, number?: bigint): Record<string, unknown> {
  const { number: _n, ...rest } = blockToJson(block);
  return number === undefined ? rest : { number: number.toString(), ...rest };
}

export interface DefiChain {
  readonly genesis: Genesis;
  /** Blocks whose senders are disjoint: any commit order keeps every nonce valid. */
  readonly blocks: readonly Block[];
}

/**
 * A DeFi chain (swaps on one pool, NFT purchases, transfers) cut into `count` blocks, each
 * sender's transactions in one block in their original order. Swaps make the result depend on
 * the order the blocks commit in.
 */
export function defiChain(count: number, txs: number, seed = "service"): DefiChain {
  const { genesis, block } = generateWorkload("defi", { txs, seed, accounts: Math.max(count * 2, txs) });
  const bySender = new Map<string, Tx[]>();
  for (const tx of block.txs) {
    const list = bySender.get(tx.from) ?? [];
    list.push(tx);
    bySender.set(tx.from, list);
  }
  const groups: Tx[][] = Array.from({ length: count }, () => []);
  let next = 0;
  for (const list of bySender.values()) {
    groups[next % count]!.push(...list);
    next++;
  }
  return { genesis: withAccountContract(genesis), blocks: groups.map((g, i) => ({ ...block, number: BigInt(i + 1), txs: g })) };
}

/** The state root after running `blocks` in order (numbered 1, 2, …) on the sequential executor. */
export async function sequentialReplay(genesis: Genesis, blocks: readonly Block[]): Promise<{ roots: string[] }> {
  const runtime = await ContractRuntime.create({ genesis, baseDir: ROOT });
  const state = stateFromGenesis(genesis);
  const roots: string[] = [];
  blocks.forEach((b, i) => {
    const block = { ...b, number: BigInt(i + 1) };
    roots.push(executeBlockSequential({ block, state, runtime, prepared: prepareBlock(block, runtime), events: false }).stateRoot);
  });
  return { roots };
}

/** Prometheus samples by name with labels, e.g. `prescient_txs_total{status="success"}`. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    out.set(match[1]!, Number(match[2]));
  }
  return out;
}

/**
 * A chain in front of a real one that forwards everything: tests extend it and override
 * `commitBlock` to fail on demand or to watch the commits.
 */
export class ForwardingChain implements ServiceChain {
  constructor(readonly inner: Chain) {}
  get head() {
    return this.inner.head;
  }
  get runtime() {
    return this.inner.runtime;
  }
  get state() {
    return this.inner.state;
  }
  get threads() {
    return this.inner.threads;
  }
  get(location: string) {
    return this.inner.get(location);
  }
  commitBlock(parameters: CommitBlockParameters) {
    return this.inner.commitBlock(parameters);
  }
  close() {
    return this.inner.close();
  }
}
