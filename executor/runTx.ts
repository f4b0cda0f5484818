/**
 * One transaction, start to end: validate (nonce, signature, max fee reserved), execute,
 * settle (refund the unused fee, credit the sequencer). The order and the gas of every step are
 * the protocol: every executor mode reproduces exactly what this function does.
 */
import { ACCOUNTS_ADDRESS, balanceLocation } from "../core/protocol.js";
import type { EnforcementPolicy, Receipt } from "../core/types.js";
import { GAS } from "../contracts/sdk/gas.js";
import { installHost } from "../contracts/sdk/host.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { StateStore } from "../state/state.js";
import type { PreparedTx } from "./prepare.js";
import type { TxHost } from "./txHost.js";

export interface RunTxOptions {
  readonly enforce: EnforcementPolicy;
  readonly checkSignatures: boolean;
}

/**
 * What a thrown value says, without trusting it: contract code can throw anything, including
 * objects whose getters throw, so every property access is guarded.
 */
export function describeThrown(error: unknown, sdkErrors?: { describe(thrown: unknown): string | undefined }): string {
  try {
    // Revert, OutOfGas, AccessListViolation: recognised by the brand their realm's SDK gave them
    // at construction, so neither a look-alike object nor a prototype trick passes for one.
    const described = sdkErrors?.describe(error);
    if (described !== undefined) return described;
    if (typeof error === "object" && error !== null) {
      const name = (error as { name?: unknown }).name;
      const message = (error as { message?: unknown }).message;
      if (typeof message === "string") return `contract error: ${typeof name === "string" ? name.slice(0, 100) : "Error"}: ${message.slice(0, 200)}`;
    }
    if (typeof error === "string") return `contract threw: ${error.slice(0, 200)}`;
    return "contract threw a non-Error value";
  } catch {
    return "contract threw a value that cannot be read";
  }
}

export interface RunTxResult {
  readonly receipt: Receipt;
  /** The fee owed to the sequencer: a commutative credit the caller applies. */
  readonly fee: bigint;
  readonly violations: number;
}

/**
 * Run one prepared transaction through `host`, over `state`. All three phases write into the
 * host's overlay; the transaction commits to `state` once, at the end, through `commit` (the
 * parallel executor logs undo information there). The sequencer's fee credit is not applied here
 * but returned: it is a commutative delta whose application is the executor's business.
 *
 * Returns undefined when the host's schedule guard tripped: nothing was committed, and the
 * transaction must run again where nothing races with it.
 */
export function runTx(p: PreparedTx, runtime: ContractRuntime, host: TxHost, options: RunTxOptions, commit: () => void): RunTxResult | undefined {
  const { tx, index } = p;
  const accounts = runtime.get(ACCOUNTS_ADDRESS)!;
  host.resetTx();
  const previousHost = installHost(host);
  try {
    if (tx.gasLimit < BigInt(GAS.txBase)) {
      return { receipt: { index, status: "invalid", gasUsed: 0, fee: 0n, error: `gas limit ${tx.gasLimit} is below the intrinsic ${GAS.txBase}`, ...traced(host) }, fee: 0n, violations: 0 };
    }
    // Validate phase: a failure excludes the transaction and leaves no trace in the state.
    try {
      host.invoke(accounts, "_validate", [tx.from, tx.nonce, p.hash, tx.signature, p.maxFee, options.checkSignatures], tx.from);
    } catch (error) {
      if (host.scheduleViolation !== undefined) return undefined;
      host.discard();
      // An invalid transaction still read what the validate phase read before it failed.
      return { receipt: { index, status: "invalid", gasUsed: 0, fee: 0n, error: describeThrown(error, runtime.sandbox), ...traced(host) }, fee: 0n, violations: 0 };
    }

    // Execute phase: metered and enforced; any failure rolls back every write of this phase.
    const executed = host.checkpoint();
    const gasLimit = Number(tx.gasLimit);
    host.beginExecution(tx, gasLimit - GAS.txBase, options.enforce);
    let error: string | undefined;
    try {
      host.invoke(p.target, tx.fn, p.args, tx.from);
    } catch (thrown) {
      error = describeThrown(thrown, runtime.sandbox);
    }
    host.endExecution();
    if (host.watchdog !== undefined) throw host.watchdog;
    if (host.scheduleViolation !== undefined) return undefined;
    let status: Receipt["status"] = "success";
    if (host.outOfGas) {
      status = "out-of-gas";
      error = `out of gas (limit ${tx.gasLimit})`;
    } else if (host.failure !== undefined) {
      status = "revert";
      error = host.failure.reason;
    } else if (host.violation !== undefined) {
      status = "revert";
      error = host.violation.message;
    } else if (error !== undefined) {
      status = "revert";
    }
    if (status !== "success") host.rollback(executed);
    const events = host.events.length > 0 ? [...host.events] : undefined;

    // Settlement: the sender gets back what it reserved and did not use.
    const gasUsed = status === "out-of-gas" ? gasLimit : GAS.txBase + host.gasUsed;
    const fee = BigInt(gasUsed) * tx.gasPrice;
    try {
      host.invoke(accounts, "_settle", [tx.from, p.maxFee - fee], ACCOUNTS_ADDRESS);
    } catch (thrown) {
      if (host.scheduleViolation !== undefined) return undefined;
      throw thrown;
    }
    commit();
    const receipt: Receipt = {
      index,
      status,
      gasUsed,
      fee,
      ...(error !== undefined ? { error } : {}),
      ...(events !== undefined ? { events } : {}),
      ...traced(host),
    };
    return { receipt, fee, violations: host.violations };
  } finally {
    installHost(previousHost);
  }
}

/** With tracing on, what the transaction read and wrote in every phase (not the fee credit). */
function traced(host: TxHost): { reads?: string[]; writes?: string[] } {
  return host.reads !== undefined ? { reads: Array.from(host.reads).sort(), writes: Array.from(host.writes!).sort() } : {};
}

/** Apply the sequencer's fee credit to `state`. */
export function creditFee(state: StateStore, sequencer: `0x${string}`, fee: bigint, onCommit?: (loc: string) => void): void {
  if (fee === 0n) return;
  const loc = balanceLocation(sequencer);
  onCommit?.(loc);
  state.set(loc, ((state.get(loc) as bigint | undefined) ?? 0n) + fee);
}
