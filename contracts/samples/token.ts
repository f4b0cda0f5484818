/**
 * An ERC-20 token: balances, allowances, a fixed minter set at deployment.
 */
import { Contract, StorageMap, StorageValue, ZERO_ADDRESS, add, ensure, sub, type Address } from "prescient/contract";

export default class Token extends Contract {
  readonly balances = new StorageMap<Address, bigint>("balances", 0n);
  readonly allowances = new StorageMap<[owner: Address, spender: Address], bigint>("allowances", 0n);
  readonly totalSupply = new StorageValue<bigint>("totalSupply", 0n);
  /** Who may mint; written only at deployment. */
  readonly minter = new StorageValue<Address>("minter", ZERO_ADDRESS);

  transfer(to: Address, amount: bigint): boolean {
    this._move(this.ctx.sender, to, amount);
    return true;
  }

  approve(spender: Address, amount: bigint): boolean {
    const owner = this.ctx.sender;
    this.allowances.set(owner, spender, amount);
    this.emit("Approval", owner, spender, amount);
    return true;
  }

  transferFrom(from: Address, to: Address, amount: bigint): boolean {
    const spender = this.ctx.sender;
    const allowed = this.allowances.get(from, spender);
    ensure(allowed >= amount, `allowance exceeded: ${allowed} < ${amount}`);
    this.allowances.set(from, spender, allowed - amount);
    this._move(from, to, amount);
    return true;
  }

  mint(to: Address, amount: bigint): void {
    ensure(this.ctx.sender === this.minter.get(), "only the minter can mint");
    this.totalSupply.set(add(this.totalSupply.get(), amount));
    this.balances.set(to, add(this.balances.get(to), amount));
    this.emit("Transfer", ZERO_ADDRESS, to, amount);
  }

  balanceOf(who: Address): bigint {
    return this.balances.get(who);
  }

  _move(from: Address, to: Address, amount: bigint): void {
    const balance = this.balances.get(from);
    ensure(balance >= amount, `insufficient balance: ${balance} < ${amount}`);
    this.balances.set(from, balance - amount);
    this.balances.set(to, add(this.balances.get(to), amount));
    this.emit("Transfer", from, to, amount);
  }
}
