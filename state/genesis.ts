/**
 * Genesis ⇄ state. A genesis deploys contracts (with their initial storage) and funds accounts;
 * the account contract is always deployed at the protocol's account address. A post-block state
 * can be written back in genesis form, so blocks can be chained through files.
 */
import { relative, dirname, isAbsolute } from "node:path";
import { InputError } from "../core/errors.js";
import { ACCOUNTS_ADDRESS, balanceLocation, keyLocation, nonceLocation } from "../core/protocol.js";
import type { Address, Genesis, GenesisContract, Value } from "../core/types.js";
import { MAX_LOCATION_BYTES, fitsLocationLimit, locationBytes } from "../core/location.js";
import { isAddress, isWellFormed, valueToJson } from "../core/value.js";
import { State, type StateStore } from "./state.js";

/** The genesis with the account contract added when it does not deploy one itself. */
export function withAccountContract(genesis: Genesis): Genesis {
  if (genesis.contracts.some((c) => c.address === ACCOUNTS_ADDRESS)) return genesis;
  return { ...genesis, contracts: [{ address: ACCOUNTS_ADDRESS, contract: "account", storage: {} }, ...genesis.contracts] };
}

export function stateFromGenesis(genesis: Genesis, file?: string): State {
  const state = new State();
  const where = (field: string) => (file !== undefined ? { file, field } : { field });
  for (const [i, contract] of genesis.contracts.entries()) {
    for (const [relativeLocation, value] of Object.entries(contract.storage)) {
      if (relativeLocation.startsWith("/") || relativeLocation.endsWith("/") || relativeLocation.includes("//") || relativeLocation.includes("*")) {
        throw new InputError(`invalid storage location ${JSON.stringify(relativeLocation)} (expected <var> or <var>/<key>…)`, where(`contracts[${i}].storage`));
      }
      const location = `${contract.address}/${relativeLocation}`;
      if (!isWellFormed(location)) throw new InputError(`storage location ${JSON.stringify(relativeLocation.slice(0, 60))} contains a lone surrogate (locations are well-formed Unicode)`, where(`contracts[${i}].storage`));
      if (!fitsLocationLimit(location)) {
        throw new InputError(`storage location ${JSON.stringify(relativeLocation.slice(0, 60))}… is ${locationBytes(location)} key bytes, more than the limit of ${MAX_LOCATION_BYTES}`, where(`contracts[${i}].storage`));
      }
      state.set(location, value);
    }
  }
  for (const account of genesis.accounts) {
    state.set(balanceLocation(account.address), account.balance);
    state.set(nonceLocation(account.address), account.nonce);
    if (account.publicKey !== undefined) state.set(keyLocation(account.address), BigInt(account.publicKey));
  }
  return state;
}

/**
 * The state in genesis JSON form. `modules` maps each contract address to its module reference
 * (sample name or path); paths are rewritten relative to `outFile`'s directory.
 */
export function stateToGenesisJson(state: StateStore, modules: ReadonlyMap<Address, string>, outFile?: string): Record<string, unknown> {
  const storage = new Map<Address, Record<string, string | boolean>>();
  const accounts = new Map<Address, { address: Address; publicKey?: string; balance: string; nonce: string }>();
  const account = (address: Address) => {
    let entry = accounts.get(address);
    if (entry === undefined) {
      entry = { address, balance: "0", nonce: "0" };
      accounts.set(address, entry);
    }
    return entry;
  };
  for (const [loc, value] of Array.from(state.entries()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const slash = loc.indexOf("/");
    const contract = loc.slice(0, slash) as Address;
    const rest = loc.slice(slash + 1);
    if (contract === ACCOUNTS_ADDRESS) {
      const [variable, who, extra] = rest.split("/");
      if (extra === undefined && who !== undefined && isAddress(who) && typeof value === "bigint") {
        if (variable === "balance") { account(who).balance = value.toString(); continue; }
        if (variable === "nonce") { account(who).nonce = value.toString(); continue; }
        if (variable === "key") { account(who).publicKey = `0x${value.toString(16).padStart(64, "0")}`; continue; }
      }
    }
    let bucket = storage.get(contract);
    if (bucket === undefined) storage.set(contract, (bucket = {}));
    bucket[rest] = valueToJson(value as Value);
  }
  const contracts: GenesisContract[] = [];
  for (const [address, module] of modules) {
    const reference = outFile !== undefined && (module.includes("/") || module.endsWith(".ts")) && isAbsolute(module) ? relative(dirname(outFile), module) : module;
    contracts.push({ address, contract: reference.startsWith(".") || isAbsolute(reference) || !reference.includes("/") ? reference : `./${reference}`, storage: (storage.get(address) ?? {}) as Record<string, Value> });
  }
  return { contracts, accounts: Array.from(accounts.values()) };
}
