/**
 * A chain that lives across blocks: its contracts deployed once, its state, its head, and blocks
 * executed and committed one after another with any executor mode, on one pool of workers. The
 * state lives in memory (from a genesis) or in a state directory (LMDB, see state/stateDb.ts),
 * where each block commits atomically and a restarted process continues from the last commit.
 *
 * Over a directory, the executors run on a SharedState whose base is the directory: a block reads
 * only the locations it touches (filled from LMDB on first sight, by whichever thread sees them),
 * and its writes reach LMDB once, at commit, in the transaction that also moves the head.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, rmdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { BaseError, InputError } from "../core/errors.js";
import type { Address, Block, EnforcementPolicy, ExecutionMode, ExecutionResult, Genesis, Value } from "../core/types.js";
import { ContractRuntime, SAMPLE_CONTRACTS } from "../contracts/runtime/runtime.js";
import type { BlockAccessSets } from "../core/accessSet.js";
import { prepareBlock, type PreparedTx } from "../executor/prepare.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { rootOfEntries } from "../state/root.js";
import { SharedState, type ValuesSnapshot } from "../state/sharedState.js";
import type { StateStore } from "../state/state.js";
import { StateDb, type ChainHead, type ChainRecord, type StoredContract } from "../state/stateDb.js";

export type { ChainHead };

export interface OpenChainParameters {
  /**
   * A state directory: the chain is kept there in LMDB and continues from its head when opened
   * again. Missing or empty, it is initialized from `genesis` at the first commit. Without it, the
   * chain lives in memory.
   */
  readonly stateDir?: string;
  /**
   * The genesis. Required in memory and for a directory's first use; for an initialized directory
   * it may be given, and must then be the one the directory was initialized from.
   */
  readonly genesis?: Genesis;
  /** The genesis file, for error messages; relative contract paths resolve against its directory. */
  readonly genesisFile?: string;
  /** Where relative contract paths of the genesis resolve (default: the genesis file's directory, else the working directory). */
  readonly baseDir?: string;
  /** Worker threads for the parallel modes (default 2); at 1, every mode runs on the calling thread. */
  readonly threads?: number;
  /** Locations the shared state holds (see SharedState). Over a directory it is a cache, emptied when half full. */
  readonly capacity?: number;
}

export interface CommitBlockParameters {
  readonly block: Block;
  /** The executor (default `hybrid`); every mode commits the same state. */
  readonly mode?: ExecutionMode;
  readonly enforce?: EnforcementPolicy;
  /** Verify ed25519 signatures (default true). */
  readonly checkSignatures?: boolean;
  /** Record events in the receipts. */
  readonly events?: boolean;
  /** Record each receipt's actual reads and writes (runs the block on the sequential executor). */
  readonly trace?: boolean;
  /** The block's file, for error messages. */
  readonly file?: string;
  /** The block already checked against the contracts (`prepareBlock`), when the caller has it. */
  readonly prepared?: readonly PreparedTx[];
  /** The access sets the parallel modes schedule with (default: the analyzer's, against the head). */
  readonly sets?: BlockAccessSets;
  /** `hybrid` runs a block inline below this projected speedup (see ParallelExecutor; default 1.15). */
  readonly inlineBelowSpeedup?: number;
}

export interface CommitBlockReturnType {
  readonly result: ExecutionResult;
  /** The new head: the block's number and state root. */
  readonly head: ChainHead;
  /** Time spent writing the block's changes and the head (0 in memory). */
  readonly commitMs: number;
  /** How many locations the block changed. */
  readonly changed: number;
}

interface Pending {
  readonly record: ChainRecord;
  readonly state: StateStore;
  /** Whether the directory existed before the chain was opened (it is removed again otherwise if the first commit fails). */
  readonly dirExisted: boolean;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** What identifies a genesis: its contracts' addresses and code, and its state. */
function chainRecordOf(runtime: ContractRuntime, genesisRoot: string): ChainRecord {
  const contracts: StoredContract[] = [];
  for (const c of runtime.contracts()) {
    contracts.push({ address: c.address, module: (SAMPLE_CONTRACTS as readonly string[]).includes(c.module) ? c.module : c.file, sha256: sha256(readFileSync(c.file)) });
  }
  contracts.sort((a, b) => (a.address < b.address ? -1 : 1));
  const genesisId = sha256(JSON.stringify({ contracts: contracts.map((c) => [c.address, c.sha256]), genesisRoot }));
  return { genesisId, genesisRoot, contracts };
}

function genesisOfRecord(record: ChainRecord): Genesis {
  return { contracts: record.contracts.map((c) => ({ address: c.address, contract: c.module, storage: {} })), accounts: [] };
}

export class Chain {
  /** The state directory, or undefined for a chain in memory. */
  readonly stateDir: string | undefined;
  readonly runtime: ContractRuntime;
  readonly threads: number;
  readonly #genesis: Genesis;
  readonly #baseDir: string;
  readonly #capacity: number | undefined;
  #head: ChainHead;
  #db: StateDb | undefined;
  #executor: ParallelExecutor | undefined;
  /** A directory's genesis, until its first commit writes it. */
  #pending: Pending | undefined;
  /** While a block runs in memory: the values before it (to read the head, and to recover). */
  #before: ValuesSnapshot | undefined;
  #busy = false;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(parameters: { stateDir: string | undefined; runtime: ContractRuntime; threads: number; genesis: Genesis; baseDir: string; capacity: number | undefined; head: ChainHead }) {
    this.stateDir = parameters.stateDir;
    this.runtime = parameters.runtime;
    this.threads = parameters.threads;
    this.#genesis = parameters.genesis;
    this.#baseDir = parameters.baseDir;
    this.#capacity = parameters.capacity;
    this.#head = parameters.head;
  }

  /** Open a chain: in memory from a genesis, or from a state directory (see OpenChainParameters). */
  static async open(parameters: OpenChainParameters): Promise<Chain> {
    const threads = parameters.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new RangeError(`threads must be an integer in [1, 64], got ${threads}`);
    const baseDir = parameters.baseDir ?? (parameters.genesisFile !== undefined ? resolve(parameters.genesisFile, "..") : process.cwd());
    const genesisFile = parameters.genesisFile;
    const where = genesisFile !== undefined ? { file: genesisFile } : {};
    const genesis = parameters.genesis === undefined ? undefined : withAccountContract(parameters.genesis);
    const deployGenesis = async (g: Genesis) => {
      const runtime = await ContractRuntime.create({ genesis: g, baseDir, file: genesisFile });
      const state = stateFromGenesis(g, genesisFile);
      return { runtime, state, record: chainRecordOf(runtime, rootOfEntries(state.entries())) };
    };

    if (parameters.stateDir === undefined) {
      if (genesis === undefined) throw new InputError("a chain in memory needs a genesis");
      const { runtime, state, record } = await deployGenesis(genesis);
      const chain = new Chain({ stateDir: undefined, runtime, threads, genesis, baseDir, capacity: parameters.capacity, head: { number: 0n, stateRoot: record.genesisRoot } });
      const shared = SharedState.fromEntries(state.entries(), parameters.capacity !== undefined ? { capacity: parameters.capacity } : {});
      chain.#executor = await ParallelExecutor.create({ genesis, baseDir, threads, runtime, state: shared, ...(genesisFile !== undefined ? { file: genesisFile } : {}) });
      return chain;
    }

    const dir = resolve(parameters.stateDir);
    const db = StateDb.probe(dir) === "lmdb" ? StateDb.open(dir) : undefined;
    try {
      if (db === undefined || !db.initialized) {
        if (genesis === undefined) throw new InputError(`${parameters.stateDir} holds no chain yet: give the genesis to initialize it (--genesis FILE)`, { field: "--state" });
        const { runtime, state, record } = await deployGenesis(genesis);
        const chain = new Chain({ stateDir: dir, runtime, threads, genesis, baseDir, capacity: parameters.capacity, head: { number: 0n, stateRoot: record.genesisRoot } });
        chain.#pending = { record, state, dirExisted: existsSync(dir) };
        await db?.close();
        return chain;
      }
      const stored = db.chain;
      let runtime: ContractRuntime;
      let chainGenesis: Genesis;
      if (genesis !== undefined) {
        const deployed = await deployGenesis(genesis);
        if (deployed.record.genesisId !== stored.genesisId) {
          throw new InputError(`the genesis differs from the one ${parameters.stateDir} was initialized with (its contracts' code or its state)`, { ...where, field: "--genesis" });
        }
        runtime = deployed.runtime;
        chainGenesis = genesis;
      } else {
        chainGenesis = genesisOfRecord(stored);
        runtime = await ContractRuntime.create({ genesis: chainGenesis, baseDir: dir });
        for (const c of stored.contracts) {
          const file = runtime.get(c.address)?.file;
          if (file === undefined || sha256(readFileSync(file)) !== c.sha256) {
            throw new InputError(`the contract at ${c.address} (${file ?? c.module}) changed since ${parameters.stateDir} was initialized`, { field: "--state" });
          }
        }
      }
      const chain = new Chain({ stateDir: dir, runtime, threads, genesis: chainGenesis, baseDir, capacity: parameters.capacity, head: db.head });
      await chain.#attach(db);
      return chain;
    } catch (error) {
      await db?.close();
      throw error;
    }
  }

  /** Run on `db`: a SharedState over it, and the executor's pool (whose workers open it too). */
  async #attach(db: StateDb): Promise<void> {
    this.#db = db;
    const state = SharedState.create({ base: db, ...(this.#capacity !== undefined ? { capacity: this.#capacity } : {}) });
    this.#executor = await ParallelExecutor.create({ genesis: this.#genesis, baseDir: this.#baseDir, threads: this.threads, runtime: this.runtime, state });
  }

  /** The last committed block (number 0 and the genesis root before the first). */
  get head(): ChainHead {
    return this.#head;
  }

  /** Whether a block is being executed and committed right now. */
  get committing(): boolean {
    return this.#busy;
  }

  /** Module reference per deployed contract: sample name or absolute path. */
  get modules(): ReadonlyMap<Address, string> {
    const modules = new Map<Address, string>();
    for (const c of this.runtime.contracts()) modules.set(c.address, (SAMPLE_CONTRACTS as readonly string[]).includes(c.module) ? c.module : c.file);
    return modules;
  }

  /** The state at the head, as a store (read it between commits; the executors write it). */
  get state(): StateStore {
    this.#checkOpen();
    return this.#pending?.state ?? this.#executor!.state;
  }

  /** The value of `location` at the head (undefined when zero), also while a block is being committed. */
  get(location: string): Value | undefined {
    this.#checkOpen();
    if (this.#pending !== undefined) return this.#pending.state.get(location);
    const state = this.#executor!.state;
    if (!this.#busy) return state.get(location);
    if (this.#db !== undefined) return this.#db.get(location);
    return state.valueBefore(this.#before!, location);
  }

  /**
   * Execute `block` on the head and commit it: the block must be numbered head + 1. Commits run one
   * after another (a call made while one runs waits for it). On any error nothing is committed
   * and the chain stays at its head.
   */
  commitBlock(parameters: CommitBlockParameters): Promise<CommitBlockReturnType> {
    const run = this.#queue.then(() => this.#commit(parameters));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #commit(parameters: CommitBlockParameters): Promise<CommitBlockReturnType> {
    this.#checkOpen();
    const { block } = parameters;
    const where = parameters.file !== undefined ? { file: parameters.file } : {};
    const expected = this.#head.number + 1n;
    if (block.number !== expected) {
      throw new InputError(`block ${block.number} does not follow the head: the chain is at block ${this.#head.number}, so the next block is ${expected}`, { ...where, field: "number" });
    }
    const prepared = parameters.prepared ?? prepareBlock(block, this.runtime, parameters.file);
    const initializing = this.#pending;
    if (initializing !== undefined) await this.#initialize(initializing);
    try {
      return await this.#execute(parameters, prepared);
    } catch (error) {
      // The directory is created by the first commit: a first block that fails leaves none.
      if (initializing !== undefined) await this.#uninitialize(initializing);
      throw error;
    }
  }

  async #execute(parameters: CommitBlockParameters, prepared: readonly PreparedTx[]): Promise<CommitBlockReturnType> {
    const { block } = parameters;
    const executor = this.#executor!;
    const state = executor.state;
    const db = this.#db;
    if (db !== undefined) {
      const stored = db.head;
      if (stored.number !== this.#head.number || stored.stateRoot !== this.#head.stateRoot) {
        throw new BaseError(`${this.stateDir}: another process committed block ${stored.number} since this chain read block ${this.#head.number}`);
      }
      // A cache, not the state: emptied when half full, so a block never finds it full.
      if (state.interned > state.buffers.capacity / 2) state.resetToBase();
    } else {
      this.#before = state.snapshotValues();
    }
    this.#busy = true;
    try {
      const mode = parameters.mode ?? "hybrid";
      const options = { enforce: parameters.enforce ?? "fallback", checkSignatures: parameters.checkSignatures ?? true, events: parameters.events ?? false } as const;
      const result =
        mode === "sequential" || parameters.trace === true
          ? executeBlockSequential({ block, state, runtime: this.runtime, prepared, ...options, trace: parameters.trace ?? false })
          : await executor.execute({
              block,
              prepared,
              mode,
              ...options,
              ...(parameters.sets !== undefined ? { sets: parameters.sets } : {}),
              ...(parameters.inlineBelowSpeedup !== undefined ? { inlineBelowSpeedup: parameters.inlineBelowSpeedup } : {}),
            });
      const changes = state.changes();
      const started = performance.now();
      const head = db === undefined ? { number: block.number, stateRoot: result.stateRoot } : db.commit({ number: block.number, stateRoot: result.stateRoot, changes, parent: this.#head });
      const commitMs = db === undefined ? 0 : performance.now() - started;
      state.clearChanges();
      this.#head = head;
      return { result, head, commitMs, changed: changes.length };
    } catch (error) {
      // Back to the head: over a directory the cache is dropped (LMDB still holds the head);
      // in memory, the values before the block come back.
      if (db !== undefined) state.resetToBase();
      else {
        state.restoreValues(this.#before!);
        state.clearChanges();
      }
      throw error;
    } finally {
      this.#busy = false;
      this.#before = undefined;
    }
  }

  /** A directory's first commit: write the genesis (head 0) in one transaction, then run over it. */
  async #initialize(pending: Pending): Promise<void> {
    const db = StateDb.open(this.stateDir!);
    try {
      if (db.initialized) throw new BaseError(`${this.stateDir} was initialized by another process meanwhile`);
      db.initialize({ chain: pending.record, entries: pending.state.entries() });
      await this.#attach(db);
    } catch (error) {
      this.#db = undefined;
      await db.close();
      throw error;
    }
    this.#pending = undefined;
  }

  /** Undo `#initialize` after a failed first commit: the directory goes back to what it was (nothing, or empty). */
  async #uninitialize(pending: Pending): Promise<void> {
    await this.#executor?.close();
    await this.#db?.close();
    this.#executor = undefined;
    this.#db = undefined;
    this.#pending = pending;
    const dir = this.stateDir!;
    for (const file of ["data.mdb", "lock.mdb"]) rmSync(join(dir, file), { force: true });
    if (!pending.dirExisted) {
      try {
        rmdirSync(dir);
      } catch {
        // someone else put something there: leave it
      }
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error("the chain is closed");
  }

  /** Stop the workers and close the state directory (after the commit in progress, if any). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    await this.#executor?.close();
    await this.#db?.close();
  }
}
