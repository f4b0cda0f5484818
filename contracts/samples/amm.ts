/**
 * A constant-product pool (x·y = k, 0.3% fee) between two tokens fixed at deployment. Swaps pull
 * the input with `transferFrom` (the trader approves the pool) and push the output.
 */
import { Contract, StorageMap, StorageValue, ZERO_ADDRESS, add, div, ensure, min, mul, sub, type Address } from "prescient/contract";

export default class Pool extends Contract {
  /** The pool's tokens; written only at deployment. */
  readonly token0 = new StorageValue<Address>("token0", ZERO_ADDRESS);
  readonly token1 = new StorageValue<Address>("token1", ZERO_ADDRESS);
  readonly reserve0 = new StorageValue<bigint>("reserve0", 0n);
  readonly reserve1 = new StorageValue<bigint>("reserve1", 0n);
  readonly totalShares = new StorageValue<bigint>("totalShares", 0n);
  readonly shares = new StorageMap<Address, bigint>("shares", 0n);

  /** Sells exactly `amountIn` of `tokenIn` for at least `minOut` of the other token. */
  swap(tokenIn: Address, amountIn: bigint, minOut: bigint): bigint {
    const token0 = this.token0.get();
    const token1 = this.token1.get();
    ensure(tokenIn === token0 || tokenIn === token1, "unknown token");
    ensure(amountIn > 0n, "zero input");
    const zeroForOne = tokenIn === token0;
    const reserveIn = zeroForOne ? this.reserve0.get() : this.reserve1.get();
    const reserveOut = zeroForOne ? this.reserve1.get() : this.reserve0.get();
    const amountInWithFee = mul(amountIn, 997n);
    const amountOut = div(mul(amountInWithFee, reserveOut), add(mul(reserveIn, 1000n), amountInWithFee));
    ensure(amountOut >= minOut, `slippage: ${amountOut} < ${minOut}`);
    ensure(amountOut > 0n, "zero output");
    const trader = this.ctx.sender;
    this.call(tokenIn, "transferFrom", trader, this.address, amountIn);
    this.call(zeroForOne ? token1 : token0, "transfer", trader, amountOut);
    if (zeroForOne) {
      this.reserve0.set(add(reserveIn, amountIn));
      this.reserve1.set(sub(reserveOut, amountOut));
    } else {
      this.reserve1.set(add(reserveIn, amountIn));
      this.reserve0.set(sub(reserveOut, amountOut));
    }
    this.emit("Swap", trader, tokenIn, amountIn, amountOut);
    return amountOut;
  }

  /** Deposits both tokens in the current ratio (any ratio for the first deposit) for shares. */
  addLiquidity(amount0: bigint, amount1: bigint): bigint {
    ensure(amount0 > 0n && amount1 > 0n, "zero deposit");
    const reserve0 = this.reserve0.get();
    const reserve1 = this.reserve1.get();
    const total = this.totalShares.get();
    const minted = total === 0n ? amount0 : min(div(mul(amount0, total), reserve0), div(mul(amount1, total), reserve1));
    ensure(minted > 0n, "deposit too small");
    const provider = this.ctx.sender;
    this.call(this.token0.get(), "transferFrom", provider, this.address, amount0);
    this.call(this.token1.get(), "transferFrom", provider, this.address, amount1);
    this.reserve0.set(add(reserve0, amount0));
    this.reserve1.set(add(reserve1, amount1));
    this.totalShares.set(add(total, minted));
    this.shares.set(provider, add(this.shares.get(provider), minted));
    this.emit("Mint", provider, amount0, amount1, minted);
    return minted;
  }
}
