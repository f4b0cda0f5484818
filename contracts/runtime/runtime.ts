/**
 * The deployed contracts of a chain: one compiled module per source, one instance per address,
 * all in one sandbox. Built from a genesis; shared by every block executed on this thread.
 */
import { isAbsolute, resolve, join } from "node:path";
import { existsSync } from "node:fs";
import { ContractLoadError, InputError } from "../../core/errors.js";
import { samplesDir } from "../../core/paths.js";
import type { Address, Genesis } from "../../core/types.js";
import type { Contract } from "../sdk/index.js";
import type { ContractAbi } from "./abi.js";
import { loadCompiledContract, type CompiledContract } from "./compile.js";
import { Sandbox, type ContractClass } from "./sandbox.js";

export const SAMPLE_CONTRACTS = ["account", "token", "amm", "nft", "kv"] as const;

export interface DeployedContract {
  readonly address: Address;
  /** The module reference as the genesis gave it (sample name or path). */
  readonly module: string;
  readonly file: string;
  readonly abi: ContractAbi;
  readonly instance: Contract;
  /** `<address>/`: every location of the contract starts with it, and no other contract's does. */
  readonly locationPrefix: string;
}

/** Resolve a genesis `contract` field: a sample name, or a path relative to `baseDir`. */
export function resolveContractModule(module: string, baseDir: string): string {
  if ((SAMPLE_CONTRACTS as readonly string[]).includes(module)) return join(samplesDir(), `${module}.ts`);
  const file = isAbsolute(module) ? module : resolve(baseDir, module);
  if (!existsSync(file)) {
    throw new InputError(`unknown contract ${JSON.stringify(module)}: not a shipped sample (${SAMPLE_CONTRACTS.join(", ")}) and no file at ${file}`);
  }
  return file;
}

export interface CreateContractRuntimeParameters {
  readonly genesis: Genesis;
  /** Directory that relative module paths in the genesis are resolved against. */
  readonly baseDir: string;
  /** The genesis file, for error messages. */
  readonly file?: string | undefined;
}

export class ContractRuntime {
  readonly sandbox = new Sandbox();
  readonly #byAddress = new Map<Address, DeployedContract>();

  private constructor() {}

  static async create({ genesis, baseDir, file: genesisFile }: CreateContractRuntimeParameters): Promise<ContractRuntime> {
    const runtime = new ContractRuntime();
    const compiled = new Map<string, Promise<CompiledContract>>();
    const classes = new Map<string, ContractClass>();
    for (const [i, entry] of genesis.contracts.entries()) {
      let file: string;
      try {
        file = resolveContractModule(entry.contract, baseDir);
      } catch (error) {
        if (error instanceof InputError) throw new InputError(error.shortMessage, { ...(genesisFile !== undefined ? { file: genesisFile } : {}), field: `contracts[${i}].contract` });
        throw error;
      }
      if (!compiled.has(file)) compiled.set(file, loadCompiledContract(file));
    }
    const abis = new Map<string, ContractAbi>();
    for (const [file, pending] of compiled) {
      const module = await pending;
      classes.set(file, runtime.sandbox.load(module));
      abis.set(file, module.abi);
    }
    for (const entry of genesis.contracts) {
      const file = resolveContractModule(entry.contract, baseDir);
      const cls = classes.get(file) as ContractClass;
      const abi = abis.get(file) as ContractAbi;
      if (runtime.#byAddress.has(entry.address)) {
        throw new InputError(`two contracts deployed at ${entry.address}`, genesisFile !== undefined ? { file: genesisFile, field: "contracts" } : { field: "contracts" });
      }
      let instance: Contract;
      try {
        instance = runtime.sandbox.deploy(cls, entry.address);
      } catch (error) {
        throw new ContractLoadError(`${file}: constructing ${abi.className} failed: ${String((error as Error)?.message ?? error)}`);
      }
      runtime.#byAddress.set(entry.address, { address: entry.address, module: entry.contract, file, abi, instance, locationPrefix: `${entry.address}/` });
    }
    return runtime;
  }

  get(address: Address): DeployedContract | undefined {
    return this.#byAddress.get(address);
  }

  contracts(): IterableIterator<DeployedContract> {
    return this.#byAddress.values();
  }
}
