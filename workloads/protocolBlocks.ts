/**
 * Small blocks aimed at the parallel executor's protocol rather than at the state. Each block has
 * an aim:
 *
 * - `lowTrip`: the first transaction leaves its scheduled set late (an undeclared write after
 *   its work) while the others are independent of it in the DAG — rivals that read or write the
 *   very key it writes undeclared commit beside it, others leave their own sets early. A rollback
 *   to the lowest violation must then reach commits that other threads made meanwhile, after a
 *   higher violation was flagged first (issue 23's race); a rival's commit that survives it
 *   shows in the state.
 * - `chains`: replays that each read what the previous one wrote, on a few hot keys: chains of
 *   dependent re-executions, Block-STM validations that fail and incarnations that wait on an
 *   ESTIMATE.
 * - `mixed`: a bit of everything: hot keys, out-of-gas, reverts after writes (a swap whose input
 *   transfer wrote the allowance before the balance check failed), the sequencer sending, being
 *   paid and having its balance read, and sets left short at any index.
 *
 * On the random chain (randomBlocks.ts). Deterministic for a seed. The block comes with the
 * locations left out of each transaction's scheduled set (`undeclared`; `protocolSets` takes them
 * out of the sets the DAG is built from); most are left out of its declared list too, so that
 * the schedule guard must stop the access.
 */
import type { BlockAccessSets } from "../core/accessSet.js";
import { balanceLocation, keyLocation, nonceLocation } from "../core/protocol.js";
import type { AccessList, Address, Block, EnforcementPolicy, Tx } from "../core/types.js";
import { ADDRESSES, BASE_FEE, WorkloadBuilder, type CallParameters } from "./builder.js";
import { signTx } from "./keys.js";
import { Random } from "./random.js";
import type { RandomChain } from "./randomBlocks.js";
import { nativeTransfer, swap } from "./tokens.js";

export const PROTOCOL_AIMS = ["lowTrip", "chains", "mixed"] as const;
export type ProtocolAim = (typeof PROTOCOL_AIMS)[number];

const MIXED = ["replay", "chain", "late", "outOfGas", "swapReverts", "native", "paySequencer", "sequencerSends", "readSequencer"] as const;
export type ProtocolTxKind = (typeof MIXED)[number] | "fresh" | "earlyTrip" | "rival";

/**
 * Locations a transaction really touches but is scheduled without. Left out of its declared list
 * too (`inList` false: the guard must stop the access), or only out of the sets handed to the
 * executor (`inList` true: the executor must put its declared list back, see withDeclaredLists).
 */
export interface Undeclared {
  readonly tx: number;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly inList: boolean;
}

export interface ProtocolBlock {
  readonly block: Block;
  readonly aim: ProtocolAim;
  readonly policy: EnforcementPolicy;
  readonly checkSignatures: boolean;
  readonly kinds: readonly ProtocolTxKind[];
  readonly undeclared: readonly Undeclared[];
}

export interface ProtocolBlockOptions {
  /** Transactions: `min`…`max` (default 2…6). */
  readonly min?: number;
  readonly max?: number;
  /** The block's aim (default: drawn). */
  readonly aim?: ProtocolAim;
  /** Work units of a replay that discovers its undeclared write late (default 100,000). */
  readonly heavyWork?: number;
}

/** The replay contract's hot keys: few, so replays conflict. */
const HOT = ["a", "b", "c"] as const;

/** A block aimed at the protocol (see the file's comment) on `chain`. */
export function protocolBlock(chain: RandomChain, seed: string | number, options: ProtocolBlockOptions = {}): ProtocolBlock {
  const r = new Random(`protocol-block:${seed}`);
  const min = options.min ?? 2;
  const max = options.max ?? 6;
  const n = min + r.int(max - min + 1);
  const aim = options.aim ?? PROTOCOL_AIMS[r.int(PROTOCOL_AIMS.length)]!;
  // lowTrip's transactions have distinct senders: a shared nonce would order them in the DAG.
  const draft = new Draft(chain, r, options.heavyWork ?? 100_000, aim === "lowTrip");
  for (let i = 0; i < n; i++) {
    // lowTrip: the late one first, an early trip last (so a higher violation can be flagged first),
    // rivals and independent neighbours between.
    if (aim === "lowTrip") draft.add(i === 0 ? "late" : i === n - 1 ? "earlyTrip" : (["rival", "rival", "rival", "fresh", "native", "earlyTrip"] as const)[r.int(6)]!);
    else if (aim === "chains") draft.add(r.int(4) === 0 ? "replay" : "chain");
    else draft.add(MIXED[r.int(MIXED.length)]!);
  }
  const policies: readonly EnforcementPolicy[] = ["fallback", "fallback", "strict", "off"];
  return {
    block: { number: BigInt(1 + r.int(1000)), timestamp: 1_700_000_000n, sequencer: chain.sequencer, baseFee: BASE_FEE, txs: draft.txs },
    aim,
    policy: policies[r.int(policies.length)]!,
    checkSignatures: r.int(4) !== 0,
    kinds: draft.kinds,
    undeclared: draft.undeclared,
  };
}

/** A block being drawn: its transactions, their kinds, and what each leaves out of its set. */
class Draft {
  readonly txs: Tx[] = [];
  readonly kinds: ProtocolTxKind[] = [];
  readonly undeclared: Undeclared[] = [];
  readonly #chain: RandomChain;
  readonly #r: Random;
  readonly #heavy: number;
  readonly #nonces = new Map<Address, bigint>();
  #lastWritten: string = HOT[0];
  /** The key the last `late` transaction writes without declaring it. */
  #lateKey: string = HOT[0];
  #fresh = 0;

  readonly #distinctSenders: boolean;

  constructor(chain: RandomChain, r: Random, heavy: number, distinctSenders: boolean) {
    this.#chain = chain;
    this.#r = r;
    this.#heavy = heavy;
    this.#distinctSenders = distinctSenders;
  }

  /** A sender other than the sequencer (account 0): a fresh one when senders are distinct (while any is left). */
  #sender(): number {
    const others = this.#chain.keys.length - 1;
    let index = 1 + this.#r.int(others);
    if (!this.#distinctSenders) return index;
    for (let k = 0; k < others && this.#nonces.has(this.#chain.keys[index]!.address); k++) index = 1 + (index % others);
    return index;
  }

  add(kind: ProtocolTxKind): void {
    const r = this.#r;
    const chain = this.#chain;
    const i = this.txs.length;
    // The sequencer (account 0) sends only as `sequencerSends`; the others are drawn from the rest.
    const fromIndex = kind === "sequencerSends" ? 0 : this.#sender();
    const key = chain.keys[fromIndex]!;
    const other = chain.keys[1 + ((fromIndex + r.int(chain.keys.length - 2)) % (chain.keys.length - 1))]!;
    const { call, gasLimit, leaveOut } = this.#call(kind, key.address, other.address);
    let accessList = call.accessList;
    // Leave something out of the scheduled set: as the kind says, else mostly at the lowest
    // indices, where a violation reaches back over the most commits of other threads.
    const left = leaveOut ?? (kind !== "fresh" && kind !== "rival" && r.next() < (i < 2 ? 0.6 : 0.25) ? this.#shortOf(call, key.address) : undefined);
    if (left !== undefined && left.reads.length + left.writes.length > 0) {
      const inList = leaveOut === undefined && r.int(4) === 0;
      this.undeclared.push({ tx: i, ...left, inList });
      if (!inList && accessList !== undefined) accessList = { reads: accessList.reads.filter((l) => !left.reads.includes(l)), writes: accessList.writes.filter((l) => !left.writes.includes(l)) };
    }
    const nonce = this.#nonces.get(key.address) ?? 0n;
    this.#nonces.set(key.address, nonce + 1n);
    const unsigned: Omit<Tx, "signature"> = {
      from: key.address,
      nonce,
      to: call.to,
      fn: call.fn,
      args: call.args,
      gasLimit,
      gasPrice: BASE_FEE + BigInt(r.int(3)),
      ...(accessList !== undefined ? { accessList } : {}),
    };
    this.txs.push(signTx(unsigned, key.privateKey));
    this.kinds.push(kind);
  }

  /** The call of a transaction of `kind`, its gas limit, and what it must leave out (if the kind says). */
  #call(kind: ProtocolTxKind, from: Address, to: Address): { call: CallParameters; gasLimit: bigint; leaveOut?: { reads: string[]; writes: string[] } } {
    const r = this.#r;
    const hot = () => HOT[r.int(HOT.length)]!;
    const fresh = () => `fresh${this.#fresh++}`;
    switch (kind) {
      case "replay": {
        const writes = Array.from({ length: 1 + r.int(2) }, hot);
        this.#lastWritten = writes.at(-1)!;
        return { call: replay(Array.from({ length: r.int(3) }, hot), writes, r.int(2_000)), gasLimit: 300_000n };
      }
      case "chain": {
        const next = hot();
        const call = replay([this.#lastWritten], [next], r.int(2_000));
        this.#lastWritten = next;
        return { call, gasLimit: 300_000n };
      }
      case "late": {
        // Reads declared, then the work, then an undeclared write: the guard trips at the end.
        const write = r.int(2) === 0 ? hot() : fresh();
        this.#lateKey = write;
        return { call: replay([fresh()], [write], this.#heavy), gasLimit: BigInt(this.#heavy) + 300_000n, leaveOut: { reads: [], writes: [data(write)] } };
      }
      case "earlyTrip": {
        // An undeclared read first thing: the guard trips before any work.
        const read = hot();
        // Little work: a round starts its ready transactions heaviest first, so the rivals before it start first.
        return { call: replay([read], [fresh()], r.int(100)), gasLimit: 300_000n, leaveOut: { reads: [data(read)], writes: [] } };
      }
      case "rival":
        // Declares the late transaction's undeclared key: the DAG does not order the two.
        return { call: r.int(2) === 0 ? replay([], [this.#lateKey], 200 + r.int(800)) : replay([this.#lateKey], [fresh()], 200 + r.int(800)), gasLimit: 300_000n };
      case "fresh":
        return { call: replay([fresh()], [fresh()], r.int(2_000)), gasLimit: 300_000n };
      case "outOfGas":
        return { call: replay([hot()], [hot()], 400_000), gasLimit: 300_000n };
      case "swapReverts":
        // More than the trader holds: the pool's transferFrom writes the allowance, then fails.
        return { call: swap(from, r.int(2) === 0 ? ADDRESSES.usdc : ADDRESSES.weth, 15_000n + BigInt(r.int(1000)), 0n, true), gasLimit: 300_000n };
      case "native":
      case "sequencerSends":
        return { call: nativeTransfer(from, r.int(3) === 0 ? WorkloadBuilder.plainAddress(this.#fresh++) : to, BigInt(1 + r.int(500)), true), gasLimit: 300_000n };
      case "paySequencer":
        return { call: nativeTransfer(from, this.#chain.sequencer, BigInt(1 + r.int(500)), true), gasLimit: 300_000n };
      case "readSequencer":
        return { call: replay([`acct:${this.#chain.sequencer}`, hot()], [hot()], r.int(2_000)), gasLimit: 300_000n };
    }
  }

  /** One or two locations of `call`'s execute phase to leave out (never the protocol's own). */
  #shortOf(call: CallParameters, from: Address): { reads: string[]; writes: string[] } {
    const list: AccessList = call.accessList ?? { reads: [], writes: [] };
    const own = new Set([balanceLocation(this.#chain.sequencer), balanceLocation(from)]);
    const reads = list.reads.filter((l) => !l.includes("acct:"));
    const writes = list.writes.filter((l) => !own.has(l));
    return this.#r.int(2) === 0 ? { reads: pick(this.#r, reads), writes: [] } : { reads: [], writes: pick(this.#r, writes) };
  }
}

const data = (key: string) => `${ADDRESSES.kv}/data/${key}`;

/** A replay (kv.exec) with its exact declared list. */
function replay(reads: readonly string[], writes: readonly string[], work: number): CallParameters {
  return { to: ADDRESSES.kv, fn: "exec", args: [[...reads], [...writes], String(work)], accessList: { reads: reads.map(data), writes: writes.map(data) } };
}

/** One or two of `locations`, or none when there are none. */
function pick(r: Random, locations: readonly string[]): string[] {
  if (locations.length === 0) return [];
  const first = locations[r.int(locations.length)]!;
  const second = locations[r.int(locations.length)]!;
  return r.int(2) === 0 || second === first ? [first] : [first, second];
}

/**
 * The block's sets without what `undeclared` leaves out: what the DAG is built from and the
 * guard checks. The protocol's own locations (the sender's nonce, balance and key, and the
 * sequencer's balance) always stay: the guard does not check the protocol phases, and the fee
 * credit relies on knowing who reaches the sequencer's balance.
 */
export function protocolSets(sets: BlockAccessSets, block: ProtocolBlock): BlockAccessSets {
  if (block.undeclared.length === 0) return sets;
  const sequencer = balanceLocation(block.block.sequencer);
  const txs = sets.txs.map((set) => {
    const left = block.undeclared.filter((u) => u.tx === set.index);
    if (left.length === 0) return set;
    const sender = block.block.txs[set.index]!.from;
    const own = new Set([sequencer, nonceLocation(sender), balanceLocation(sender), keyLocation(sender)]);
    const reads = new Set(left.flatMap((u) => u.reads));
    const writes = new Set(left.flatMap((u) => u.writes));
    return { ...set, reads: set.reads.filter((l) => own.has(l) || !reads.has(l)), writes: set.writes.filter((l) => own.has(l) || !writes.has(l)) };
  });
  return { ...sets, txs };
}
