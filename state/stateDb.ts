/**
 * A chain's state on disk: one LMDB environment in a directory, holding
 *
 * - `state`: every non-zero location → its value (keys and values as in codec.ts; absent = zero),
 * - `meta`: `format` (prescient-state/1), `head` ({ number, stateRoot } of the last committed
 *   block; 0 is the genesis) and `chain` (the genesis' identity and its contracts: address, module
 *   reference — a sample name or an absolute path — and the sha256 of the source deployed), which
 *   is what redeploys the contracts when the directory is opened again.
 *
 * A block commits in one LMDB write transaction: its changed locations, the new head and its
 * state root, all or nothing. LMDB never exposes half a transaction, to readers or after a crash.
 * Reads are memory-mapped and work from every thread of the process: the main thread opens the
 * environment read-write, workers open it again read-only.
 */
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { open, type Database, type RootDatabase } from "lmdb";
import { BaseError, InputError } from "../core/errors.js";
import { MAX_LOCATION_BYTES } from "../core/location.js";
import type { Address, Value } from "../core/types.js";
import { CorruptStateError, decodeValue, encodeValue, encodedLocationLength, readLocation, rootEncodingOfStored, writeLocation } from "./codec.js";
import type { StateBase, StateBaseSource } from "./state.js";

export const STATE_FORMAT = "prescient-state/1";

/** The files LMDB keeps in an environment directory. */
const LMDB_FILES = new Set(["data.mdb", "lock.mdb"]);

/** LMDB's magic number, in the meta page that opens the data file (after the page header). */
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_MAGIC_OFFSET = 24;

/**
 * Whether a data file looks like LMDB's: handed anything else, LMDB reads garbage as page
 * pointers and the process crashes, so the header is checked first. An empty file is a fresh one.
 */
function looksLikeLmdb(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const header = Buffer.alloc(LMDB_MAGIC_OFFSET + 4);
    const n = readSync(fd, header, 0, header.length, 0);
    if (n === 0) return true;
    return n === header.length && header.readUInt32LE(LMDB_MAGIC_OFFSET) === LMDB_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** The last committed block: its number (0 for the genesis) and the state root after it. */
export interface ChainHead {
  readonly number: bigint;
  readonly stateRoot: string;
}

export interface StoredContract {
  readonly address: Address;
  /** A shipped sample's name, or the module's absolute path. */
  readonly module: string;
  /** sha256 of the module's source when the chain was initialized. */
  readonly sha256: string;
}

/** What a state directory records of the genesis it was initialized from. */
export interface ChainRecord {
  /** sha256 over the deployed contracts (address and source) and the genesis state root. */
  readonly genesisId: string;
  readonly genesisRoot: string;
  readonly contracts: readonly StoredContract[];
}

export interface InitializeStateDbParameters {
  readonly chain: ChainRecord;
  /** The genesis state: every non-zero location. */
  readonly entries: Iterable<readonly [string, Value]>;
}

export interface CommitParameters {
  readonly number: bigint;
  readonly stateRoot: string;
  /** Every location the block changed, with its new value (undefined = cleared). */
  readonly changes: readonly (readonly [string, Value | undefined])[];
  /** The head the block was executed on: the commit fails if the directory's head is not it. */
  readonly parent: ChainHead;
}

/** Another writer moved the directory's head since this process read it. */
export class HeadMovedError extends BaseError {
  override name = "HeadMovedError";
}

const keyEncoder = {
  writeKey(key: string | Uint8Array, target: Uint8Array, start: number): number {
    // lmdb hands range bounds given as bytes (the lowest key) through unchanged.
    if (typeof key !== "string") {
      target.set(key, start);
      return start + key.length;
    }
    return writeLocation(key, target, start);
  },
  readKey(target: Uint8Array, start: number, end: number): string {
    return readLocation(target, start, end);
  },
};

/** The lowest possible key: every range starts here (lmdb's default start skips keys below 0x05). */
const FIRST_KEY = Buffer.from([0]);

interface StoredHead {
  readonly number: string;
  readonly stateRoot: string;
}

function notAState(dir: string, why: string): InputError {
  return new InputError(`${dir} is not a prescient state directory: ${why}`, { field: "--state" });
}

export class StateDb implements StateBase {
  readonly dir: string;
  readonly readOnly: boolean;
  readonly #env: RootDatabase;
  #state: Database<Buffer, string> | undefined;
  #meta: Database<unknown, string> | undefined;
  readonly #maxKeySize: number;

  private constructor(dir: string, readOnly: boolean, env: RootDatabase) {
    this.dir = dir;
    this.readOnly = readOnly;
    this.#env = env;
    this.#maxKeySize = (env as unknown as { maxKeySize?: number }).maxKeySize ?? 1978;
  }

  /**
   * Whether `dir` holds an LMDB environment, none yet (missing or empty: a state is created there
   * on first use), or something else (an error naming what is there).
   */
  static probe(dir: string): "none" | "lmdb" {
    if (!existsSync(dir)) return "none";
    if (!statSync(dir).isDirectory()) throw notAState(dir, "it is a file");
    const files = readdirSync(dir);
    if (files.length === 0) return "none";
    const foreign = files.filter((f) => !LMDB_FILES.has(f));
    if (foreign.length > 0) throw notAState(dir, `it holds ${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""} (a state directory holds only data.mdb and lock.mdb)`);
    if (!files.includes("data.mdb")) return "none";
    if (!looksLikeLmdb(join(dir, "data.mdb"))) throw notAState(dir, "its data.mdb is not an LMDB data file");
    return "lmdb";
  }

  /**
   * Open (creating it when `dir` holds none and not read-only) the environment of a state
   * directory. `initialized` says whether it holds a chain yet: a fresh one, or one whose first
   * commit never happened, does not.
   */
  static open(dir: string, options: { readonly readOnly?: boolean } = {}): StateDb {
    const path = resolve(dir);
    const readOnly = options.readOnly ?? false;
    // Also what keeps LMDB from ever being handed a file that is not its own.
    if (StateDb.probe(path) === "none" && readOnly) throw notAState(dir, "it holds no chain yet");
    let env: RootDatabase;
    try {
      env = open({ path, maxDbs: 4, readOnly, encoding: "binary" });
    } catch (error) {
      throw notAState(dir, `LMDB cannot open it (${(error as Error).message})`);
    }
    const db = new StateDb(path, readOnly, env);
    try {
      db.#openDatabases(dir);
    } catch (error) {
      void env.close();
      throw error;
    }
    return db;
  }

  #openDatabases(dir: string): void {
    const env = this.#env;
    // The executor reverts accesses to longer locations in every configuration; LMDB must hold them all.
    if (this.#maxKeySize < MAX_LOCATION_BYTES) throw new BaseError(`this LMDB build holds keys of at most ${this.#maxKeySize} bytes, below prescient's location limit of ${MAX_LOCATION_BYTES}`);
    let meta: Database<unknown, string> | undefined;
    try {
      meta = env.openDB<unknown, string>({ name: "meta", encoding: "json", create: false } as never) ?? undefined;
    } catch {
      meta = undefined;
    }
    if (meta === undefined) {
      // No meta database: a fresh environment (nothing at all in it) becomes a state; anything else is not ours.
      if ((env.getStats() as { entryCount?: number }).entryCount !== 0) throw notAState(dir, "its LMDB environment holds other databases");
      if (this.readOnly) throw notAState(dir, "it holds no chain yet");
      meta = env.openDB<unknown, string>({ name: "meta", encoding: "json" });
    }
    const format = meta.get("format");
    if (format !== undefined && format !== STATE_FORMAT) throw notAState(dir, `its format is ${JSON.stringify(format)}, this prescient reads ${STATE_FORMAT}`);
    this.#meta = meta;
    this.#state = env.openDB<Buffer, string>({ name: "state", encoding: "binary", keyEncoder, ...(this.readOnly ? { create: false } : {}) } as never) ?? undefined;
    if (this.#state === undefined) throw notAState(dir, "it has no state database");
    if (format === undefined && (this.#state.getStats() as { entryCount?: number }).entryCount !== 0) {
      throw notAState(dir, "it holds state entries but no chain record");
    }
  }

  get #db(): Database<Buffer, string> {
    if (this.#state === undefined) throw new Error("state database is closed");
    return this.#state;
  }

  /** Whether the directory holds a chain (its genesis was written). */
  get initialized(): boolean {
    return this.#meta?.get("format") === STATE_FORMAT;
  }

  get head(): ChainHead {
    const head = this.#meta?.get("head") as StoredHead | undefined;
    if (head === undefined) throw new Error(`${this.dir} holds no chain yet`);
    return { number: BigInt(head.number), stateRoot: head.stateRoot };
  }

  get chain(): ChainRecord {
    const chain = this.#meta?.get("chain") as ChainRecord | undefined;
    if (chain === undefined) throw new Error(`${this.dir} holds no chain yet`);
    return chain;
  }

  get source(): StateBaseSource {
    return { kind: "lmdb", dir: this.dir };
  }

  get size(): number {
    return (this.#db.getStats() as { entryCount: number }).entryCount;
  }

  get(location: string): Value | undefined {
    const bytes = this.#db.getBinaryFast(location);
    return bytes === undefined ? undefined : decodeValue(bytes);
  }

  *entries(): IterableIterator<[string, Value]> {
    for (const { key, value } of this.#db.getRange({ start: FIRST_KEY as never })) yield [key, decodeValue(value)];
  }

  *rootEntries(): IterableIterator<[string, string]> {
    for (const { key, value } of this.#db.getRange({ start: FIRST_KEY as never })) yield [key, rootEncodingOfStored(value)];
  }

  refresh(): void {
    this.#env.resetReadTxn();
  }

  #checkKeys(locations: Iterable<string>): void {
    for (const loc of locations) {
      const bytes = encodedLocationLength(loc);
      if (bytes > this.#maxKeySize) {
        throw new BaseError(`location too long to persist: ${JSON.stringify(loc.slice(0, 60))}… is ${bytes} bytes, LMDB keys hold at most ${this.#maxKeySize}`);
      }
    }
  }

  /** Write the genesis: its state, the chain record and head 0, in one transaction. */
  initialize({ chain, entries }: InitializeStateDbParameters): ChainHead {
    const list = Array.from(entries);
    this.#checkKeys(list.map(([loc]) => loc));
    const encoded = list.map(([loc, value]) => [loc, encodeValue(value)] as const);
    const meta = this.#meta!;
    const db = this.#db;
    this.#env.transactionSync(() => {
      if (meta.get("format") !== undefined) throw new HeadMovedError(`${this.dir} was initialized by another process meanwhile`);
      for (const [loc, bytes] of encoded) db.put(loc, bytes);
      meta.put("chain", chain);
      meta.put("head", { number: "0", stateRoot: chain.genesisRoot } satisfies StoredHead);
      meta.put("format", STATE_FORMAT);
    });
    return { number: 0n, stateRoot: chain.genesisRoot };
  }

  /**
   * Commit a block: its changes, the new head and state root, in one LMDB transaction. Values are
   * encoded (and keys checked) before the transaction opens, so a bad one writes nothing.
   */
  commit({ number, stateRoot, changes, parent }: CommitParameters): ChainHead {
    this.#checkKeys(changes.map(([loc]) => loc));
    const encoded = changes.map(([loc, value]) => [loc, value === undefined ? undefined : encodeValue(value)] as const);
    const meta = this.#meta!;
    const db = this.#db;
    this.#env.transactionSync(() => {
      const head = meta.get("head") as StoredHead | undefined;
      if (head === undefined || head.number !== parent.number.toString() || head.stateRoot !== parent.stateRoot) {
        throw new HeadMovedError(`${this.dir}: another writer committed block ${head?.number ?? "?"} since this chain read head ${parent.number}`);
      }
      for (const [loc, bytes] of encoded) {
        if (bytes === undefined) db.remove(loc);
        else db.put(loc, bytes);
      }
      meta.put("head", { number: number.toString(), stateRoot } satisfies StoredHead);
    });
    return { number, stateRoot };
  }

  async close(): Promise<void> {
    this.#state = undefined;
    this.#meta = undefined;
    await this.#env.close();
  }
}

export { CorruptStateError };
