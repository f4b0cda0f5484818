/**
 * The mempool mode over HTTP: the operations of `prescient mempool`'s NDJSON records, applied
 * request by request to one long-lived pool. A request's records apply all or not at all: they
 * are checked against the pool before the first one changes it.
 */
import { InputError, showInput } from "../core/errors.js";
import { parseMempoolRecord, type MempoolRecord } from "../cli/commands/mempool.js";
import { Mempool } from "../scheduler/mempool.js";
import { ConflictError } from "./errors.js";
import { BODY } from "./jsonBody.js";

export interface MempoolUpdate {
  readonly added: number;
  /** Included or dropped transactions the pool held. */
  readonly removed: number;
  readonly released: number;
  readonly pending: number;
}

export interface MempoolBatchOptions {
  readonly maxGas?: number;
  readonly maxTxs?: number;
  /** Count the batch as included at once (default true, as `prescient mempool` does). */
  readonly autoInclude?: boolean;
}

export interface MempoolBatchReturnType {
  /** The batch's sequence number (1 for the first). */
  readonly batch: number;
  readonly txs: readonly string[];
  readonly gas: number;
  readonly pending: number;
}

/** A record that changes the pool: add, include, drop or release. */
export type MempoolUpdateRecord = Exclude<MempoolRecord, { kind: "batch" }>;

/** The records of a POST /mempool/txs body: one record, or an array of them. */
export function parseMempoolRecords(json: unknown): MempoolUpdateRecord[] {
  const many = Array.isArray(json);
  const items: unknown[] = many ? json : [json];
  return items.map((item, i) => {
    const at = (field: string) => (many ? (field === "(record)" ? `[${i}]` : `[${i}].${field}`) : field);
    const record = parseMempoolRecord(item, (field, message) => {
      throw new InputError(message, { file: BODY, field: at(field) });
    });
    if (record.kind === "batch") throw new InputError("batches are asked for with POST /mempool/batch", { file: BODY, field: at("batch") });
    return record;
  });
}

export class ServiceMempool {
  readonly pool = new Mempool();
  #batches = 0;

  get pending(): number {
    return this.pool.size;
  }

  /** Apply add, include, drop and release records in order; a conflicting request changes nothing. */
  apply(records: readonly MempoolUpdateRecord[]): MempoolUpdate {
    const seen = new Set<string>();
    records.forEach((record, i) => {
      if (record.kind === "tx") {
        const { id } = record.value;
        const field = records.length > 1 ? `[${i}].id` : "id";
        if (this.pool.has(id)) throw new ConflictError(`transaction ${showInput(id)} is already pending`, field);
        if (this.pool.knows(id)) throw new ConflictError(`transaction ${showInput(id)} was removed while it waited on earlier transactions; its id is free again once they leave the pool`, field);
        if (seen.has(id)) throw new ConflictError(`transaction ${showInput(id)} is named earlier in this request; send it in a request of its own`, field);
        seen.add(id);
      } else {
        for (const id of record.ids) seen.add(id);
      }
    });
    let added = 0;
    let removed = 0;
    let released = 0;
    for (const record of records) {
      switch (record.kind) {
        case "tx": {
          const { priority, ...rest } = record.value;
          this.pool.add(priority === undefined ? rest : { ...rest, priority });
          added++;
          break;
        }
        case "include":
        case "drop":
          for (const id of record.ids) if (this.pool.remove(id)) removed++;
          break;
        case "release":
          for (const id of record.ids) if (this.pool.release(id)) released++;
          break;
      }
    }
    return { added, removed, released, pending: this.pool.size };
  }

  /** The next batch of ready, mutually non-conflicting transactions. */
  nextBatch(options: MempoolBatchOptions = {}): MempoolBatchReturnType {
    const batch = this.pool.nextBatch(options.maxGas ?? Number.POSITIVE_INFINITY, options.maxTxs ?? Number.POSITIVE_INFINITY);
    if (options.autoInclude ?? true) for (const tx of batch.txs) this.pool.remove(tx.id);
    return { batch: ++this.#batches, txs: batch.txs.map((t) => t.id), gas: batch.gas, pending: this.pool.size };
  }
}
