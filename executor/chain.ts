/**
 * Loading what a command runs on: a block (of transactions, or an access trace) with its genesis,
 * deployed and validated before anything executes.
 */
import { dirname, resolve } from "node:path";
import { InputError } from "../core/errors.js";
import { parseBlock, parseGenesis, readJsonFile } from "../core/schema.js";
import type { Address, Block, Genesis } from "../core/types.js";
import { ContractRuntime, SAMPLE_CONTRACTS } from "../contracts/runtime/runtime.js";
import { isAccessTraceDocument, parseAccessTrace } from "../core/trace.js";
import { traceToWorkload } from "../workloads/mainnet.js";
import { prepareBlock, type PreparedTx } from "./prepare.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import type { State } from "../state/state.js";

export interface LoadedChain {
  readonly block: Block;
  readonly genesis: Genesis;
  readonly runtime: ContractRuntime;
  readonly state: State;
  readonly prepared: readonly PreparedTx[];
  /** The directory relative contract paths of the genesis resolve against. */
  readonly baseDir: string;
  /** Module reference per deployed contract: sample name or absolute path. */
  readonly modules: ReadonlyMap<Address, string>;
}

export interface LoadChainParameters {
  readonly blockFile: string;
  readonly genesisFile?: string | undefined;
}

/**
 * Load a block and its genesis. An access-trace file (`"format": "access-trace/v1"`) carries its
 * own chain: it becomes a block of replay calls with a genesis funding every sender.
 */
export async function loadChain({ blockFile, genesisFile }: LoadChainParameters): Promise<LoadedChain> {
  const blockJson = readJsonFile(blockFile);
  if (isAccessTraceDocument(blockJson)) {
    const workload = traceToWorkload(parseAccessTrace(blockJson, blockFile));
    return deployChain(workload.block, withAccountContract(workload.genesis), process.cwd(), blockFile);
  }
  if (genesisFile === undefined) {
    throw new InputError("--genesis FILE is required for a block of transactions (only access traces carry their own)", { file: blockFile });
  }
  const block = parseBlock(blockJson, blockFile);
  const genesis = withAccountContract(parseGenesis(readJsonFile(genesisFile), genesisFile));
  return deployChain(block, genesis, dirname(resolve(genesisFile)), blockFile, genesisFile);
}

export async function deployChain(block: Block, genesis: Genesis, baseDir: string, blockFile?: string, genesisFile?: string): Promise<LoadedChain> {
  const runtime = await ContractRuntime.create({ genesis, baseDir, file: genesisFile });
  const state = stateFromGenesis(genesis, genesisFile);
  const prepared = prepareBlock(block, runtime, blockFile);
  const modules = new Map<Address, string>();
  for (const c of runtime.contracts()) {
    modules.set(c.address, (SAMPLE_CONTRACTS as readonly string[]).includes(c.module) ? c.module : c.file);
  }
  return { block, genesis, runtime, state, prepared, modules, baseDir };
}
