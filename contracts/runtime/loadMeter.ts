/**
 * The host installed while contract code runs outside a transaction: a module's top level as it
 * loads, a contract's field initializers as it is deployed. Nothing there may touch storage, call
 * or emit, and what it computes is metered like a transaction's, against LIMITS.loadGas and the
 * memory limit, so an endless loop or a huge allocation at load time (in an enum initializer, a
 * computed member name, a class's `extends` expression, a getter read by a constant) ends in a
 * `ContractLoadError` instead of hanging or exhausting the process.
 */
import { ContractLoadError } from "../../core/errors.js";
import type { Address, Value } from "../../core/types.js";
import type { CallContext, Host } from "../sdk/host.js";
import type { SdkRealm } from "../sdk/realm.js";

/** Why a module's load (or a contract's deployment) was stopped by the meter. */
export class LoadLimitError extends ContractLoadError {
  override name = "LoadLimitError";
}

export class LoadMeter implements Host {
  gasUsed = 0;
  readonly #limit: number;
  readonly #errors: SdkRealm["errors"];
  readonly #what: string;
  #failure: Error | undefined;

  /** `what`: the phase, for messages ("while the module loads", "while the contract is deployed"). */
  constructor(limit: number, errors: SdkRealm["errors"], what: string) {
    this.#limit = limit;
    this.#errors = errors;
    this.#what = what;
  }

  get frame(): CallContext {
    throw new this.#errors.Revert(`this.ctx is only available to a transaction, not ${this.#what}`);
  }

  read(_location: string, _prefix?: string): Value | undefined {
    throw new this.#errors.Revert(`storage is not available ${this.#what}`);
  }

  write(_location: string, _value: Value, _prefix?: string): void {
    throw new this.#errors.Revert(`storage is not available ${this.#what}`);
  }

  call(_to: Address, _fn: string, _args: readonly unknown[]): unknown {
    throw new this.#errors.Revert(`calls are not available ${this.#what}`);
  }

  emit(_name: string, _args: readonly Value[]): void {
    throw new this.#errors.Revert(`events are not available ${this.#what}`);
  }

  charge(gas: number): void {
    if (typeof gas !== "number" || !Number.isSafeInteger(gas) || gas < 0) this.abort(`invalid gas charge ${typeof gas === "number" ? gas : typeof gas}`);
    if (this.#failure !== undefined) throw this.#failure;
    this.gasUsed += gas;
    if (this.gasUsed > this.#limit) this.abort(`code run ${this.#what} exceeds ${this.#limit} gas`);
  }

  abort(reason: string): never {
    this.#failure ??= Object.freeze(new this.#errors.Revert(reason));
    throw this.#failure;
  }

  /** The reason the meter stopped the code, if it did (sticky: whatever the code caught). */
  get failure(): string | undefined {
    return this.#failure?.message;
  }
}
