/**
 * The base class of every contract. A contract is a class whose public methods (those not
 * starting with `_`) are callable by transactions; its state lives in `StorageValue` and
 * `StorageMap` fields; `this.ctx` says who called and in which block.
 */
import type { Address, Value } from "../../core/types.js";
import { deployingAddress, host, type CallContext } from "./host.js";

export abstract class Contract {
  /** The address this instance is deployed at. */
  readonly address: Address;

  constructor() {
    this.address = deployingAddress();
  }

  /** The current call: sender, self, origin and block. */
  protected get ctx(): CallContext {
    return host().frame;
  }

  /**
   * Call `fn` on the contract at `to`, as this contract. A revert in the callee rolls back the
   * callee's writes and propagates, unless caught here.
   */
  protected call<T = unknown>(to: Address, fn: string, ...args: unknown[]): T {
    return host().call(to, fn, args) as T;
  }

  /** Record an event in the transaction's receipt. */
  protected emit(name: string, ...args: Value[]): void {
    host().emit(name, args);
  }
}
