/**
 * Per-transaction access sets: what the scheduler consumes. They come from the analyzer
 * (inferred ∪ declared), from declared lists alone, or straight from an access-trace file.
 */

/**
 * How much a set can be trusted:
 * - `exact`: every location is known from the tx's sender, arguments, constants or immutable state;
 * - `over-approximate`: a superset (wildcards, both branches of a condition);
 * - `unknown`: the analysis could not bound it; the executor must discover the accesses.
 */
export type AccessClass = "exact" | "over-approximate" | "unknown";

/**
 * The class of a set the scheduler and executor take: the analyzer's classes, or `predicted` — the
 * accesses of the transaction run alone against the pre-block state (EVM pre-execution). A
 * predicted set is a hint, neither exact nor sound: it is scheduled on like the others, and the
 * executor's guard checks it (a miss re-runs the transaction where nothing races with it).
 */
export type ScheduledAccessClass = AccessClass | "predicted";

/**
 * How a transaction touches the block's fee recipient (the sequencer / coinbase) beyond the
 * commutative fee credit every transaction makes: `read` when it reads its balance (and so sees
 * every earlier credit), `read-write` when it also changes it (sends from it, pays it directly).
 */
export type FeeRecipientAccess = "none" | "read" | "read-write";

export interface TxAccessSet {
  /** Position in the block. */
  readonly index: number;
  /** Locations read; a trailing `/*` entry covers a whole prefix. */
  readonly reads: readonly string[];
  /** Locations written; a trailing `/*` entry covers a whole prefix. */
  readonly writes: readonly string[];
  /** Estimated gas, used to balance workers and to weigh the critical path. */
  readonly gas: number;
  readonly class: ScheduledAccessClass;
  readonly feeRecipient: FeeRecipientAccess;
}

export interface BlockAccessSets {
  /**
   * The location that receives every transaction's fee. Accesses to it in `reads`/`writes` are
   * the commutative fee credit and create no conflict, except for transactions whose
   * `feeRecipient` is not `none`: those follow every earlier transaction.
   */
  readonly feeRecipientLocation: string | undefined;
  readonly txs: readonly TxAccessSet[];
}
