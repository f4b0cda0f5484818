/**
 * The analyzer's block-level entry points: templates for every deployed contract, access sets
 * for every transaction of a block, and (when the block is run with tracing) the soundness and
 * precision of those sets against what each transaction actually touched.
 */
import type { AccessClass } from "../core/accessSet.js";
import { accessMatchers } from "../core/location.js";
import type { Block, EnforcementPolicy, Receipt } from "../core/types.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { PreparedTx } from "../executor/prepare.js";
import { executeBlockSequential } from "../executor/sequential.js";
import type { StateStore as State } from "../state/state.js";
import { Instantiator, type BlockAccessSetsDetail, type TxAccessSetDetail } from "./instantiate.js";
import { loadTemplates } from "./load.js";
import type { ContractTemplates } from "./template.js";

/** Templates of every contract deployed in `runtime`, by address. */
export async function templatesForRuntime(runtime: ContractRuntime): Promise<Map<string, ContractTemplates>> {
  const byFile = new Map<string, Promise<ContractTemplates>>();
  const out = new Map<string, ContractTemplates>();
  for (const c of runtime.contracts()) if (!byFile.has(c.file)) byFile.set(c.file, loadTemplates(c.file));
  for (const c of runtime.contracts()) out.set(c.address, await byFile.get(c.file)!);
  return out;
}

export interface InferAccessSetsParameters {
  readonly block: Block;
  readonly runtime: ContractRuntime;
  /** The pre-block state (immutable storage is resolved against it). */
  readonly state: State;
  readonly prepared: readonly PreparedTx[];
  readonly checkSignatures?: boolean;
  readonly enforce?: EnforcementPolicy;
}

/** Access sets (declared ∪ inferred, with a class) for every transaction of a block. */
export async function inferAccessSets(parameters: InferAccessSetsParameters): Promise<BlockAccessSetsDetail> {
  const contracts = await templatesForRuntime(parameters.runtime);
  const instantiator = new Instantiator({
    contracts,
    block: { number: parameters.block.number, timestamp: parameters.block.timestamp, sequencer: parameters.block.sequencer },
    state: parameters.state,
    ...(parameters.checkSignatures !== undefined ? { checkSignatures: parameters.checkSignatures } : {}),
    ...(parameters.enforce !== undefined ? { enforce: parameters.enforce } : {}),
  });
  return instantiator.instantiateBlock(parameters.prepared);
}

export interface Miss {
  readonly index: number;
  readonly kind: "read" | "write";
  readonly location: string;
  readonly class: AccessClass;
}

export interface PrecisionReport {
  /** Transactions per class. */
  readonly classes: Record<AccessClass, number>;
  /** Distinct locations touched (reads ∪ writes) by exact and over-approximate transactions. */
  readonly touched: number;
  /** Distinct locations inferred for the same transactions (a wildcard counts once). */
  readonly inferred: number;
  /** touched / inferred. */
  readonly precision: number;
  /** Touched locations outside the inferred set of an exact or over-approximate transaction. */
  readonly misses: readonly Miss[];
}

/**
 * Compare inferred sets with traced receipts. Only the analyzer's inferred set counts (not the
 * declared list), so this measures the analysis itself.
 */
export function measurePrecision(sets: readonly TxAccessSetDetail[], receipts: readonly Receipt[]): PrecisionReport {
  const classes: Record<AccessClass, number> = { exact: 0, "over-approximate": 0, unknown: 0 };
  let touched = 0;
  let inferred = 0;
  const misses: Miss[] = [];
  for (const set of sets) {
    classes[set.class]++;
    if (set.class === "unknown") continue;
    const receipt = receipts[set.index];
    if (receipt?.reads === undefined || receipt.writes === undefined) continue;
    const { readable, writable } = accessMatchers(set.inferred.reads, set.inferred.writes);
    for (const loc of receipt.reads) if (!readable.has(loc)) misses.push({ index: set.index, kind: "read", location: loc, class: set.class });
    for (const loc of receipt.writes) if (!writable.has(loc)) misses.push({ index: set.index, kind: "write", location: loc, class: set.class });
    touched += new Set([...receipt.reads, ...receipt.writes]).size;
    inferred += new Set([...set.inferred.reads, ...set.inferred.writes]).size;
  }
  return { classes, touched, inferred, precision: inferred === 0 ? 1 : touched / inferred, misses };
}

/** Run the block sequentially with tracing on a copy of the state and measure the sets. */
export function traceAndMeasure(parameters: InferAccessSetsParameters, sets: readonly TxAccessSetDetail[]): PrecisionReport {
  const result = executeBlockSequential({
    block: parameters.block,
    state: parameters.state.clone(),
    runtime: parameters.runtime,
    prepared: parameters.prepared,
    trace: true,
    ...(parameters.checkSignatures !== undefined ? { checkSignatures: parameters.checkSignatures } : {}),
    ...(parameters.enforce !== undefined ? { enforce: parameters.enforce } : {}),
  });
  return measurePrecision(sets, result.receipts);
}
