/**
 * Calls and their exact access lists for the sample contracts, shared by the workloads.
 */
import { ACCOUNTS_ADDRESS } from "../core/protocol.js";
import type { AccessList, Address } from "../core/types.js";
import { ADDRESSES, type CallParameters } from "./builder.js";

export function nativeTransfer(from: Address, to: Address, amount: bigint, declare: boolean): CallParameters {
  const accessList: AccessList = { reads: [], writes: [`${ACCOUNTS_ADDRESS}/balance/${from}`, `${ACCOUNTS_ADDRESS}/balance/${to}`] };
  return { to: ACCOUNTS_ADDRESS, fn: "transfer", args: [to, amount.toString()], ...(declare ? { accessList } : {}) };
}

export function tokenTransfer(token: Address, from: Address, to: Address, amount: bigint, declare: boolean): CallParameters {
  const accessList: AccessList = { reads: [], writes: [`${token}/balances/${from}`, `${token}/balances/${to}`] };
  return { to: token, fn: "transfer", args: [to, amount.toString()], ...(declare ? { accessList } : {}) };
}

export function swap(trader: Address, tokenIn: Address, amountIn: bigint, minOut: bigint, declare: boolean): CallParameters {
  const pool = ADDRESSES.pool;
  const tokenOut = tokenIn === ADDRESSES.usdc ? ADDRESSES.weth : ADDRESSES.usdc;
  const accessList: AccessList = {
    reads: [`${pool}/token0`, `${pool}/token1`],
    writes: [
      `${pool}/reserve0`,
      `${pool}/reserve1`,
      `${tokenIn}/allowances/${trader}/${pool}`,
      `${tokenIn}/balances/${trader}`,
      `${tokenIn}/balances/${pool}`,
      `${tokenOut}/balances/${pool}`,
      `${tokenOut}/balances/${trader}`,
    ],
  };
  return { to: pool, fn: "swap", args: [tokenIn, amountIn.toString(), minOut.toString()], ...(declare ? { accessList } : {}) };
}

export function nftBuy(buyer: Address, tokenId: bigint, seller: Address, price: bigint, declare: boolean): CallParameters {
  const nft = ADDRESSES.nft;
  const pay = ADDRESSES.usdc;
  const accessList: AccessList = {
    reads: [`${nft}/paymentToken`],
    writes: [`${nft}/owners/${tokenId}`, `${nft}/prices/${tokenId}`, `${pay}/allowances/${buyer}/${nft}`, `${pay}/balances/${buyer}`, `${pay}/balances/${seller}`],
  };
  return { to: nft, fn: "buy", args: [tokenId.toString(), seller, price.toString()], ...(declare ? { accessList } : {}) };
}
