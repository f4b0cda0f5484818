/**
 * Checks a block against the deployed contracts before anything runs: every transaction calls
 * a deployed contract's public function with arguments of the right types. A block that fails
 * here is bad input (exit 2), not a block of reverts.
 */
import { InputError, showInput } from "../core/errors.js";
import { txHash } from "../core/txHash.js";
import type { Arg, Block, Tx } from "../core/types.js";
import { MAX_U256 } from "../core/value.js";
import { convertArgs } from "../contracts/runtime/abi.js";
import type { ContractRuntime, DeployedContract } from "../contracts/runtime/runtime.js";

export interface PreparedTx {
  readonly index: number;
  readonly tx: Tx;
  readonly target: DeployedContract;
  readonly args: readonly Arg[];
  readonly hash: bigint;
  readonly maxFee: bigint;
  /**
   * `tx.gasLimit` as a number, converted once for every consumer (the analyzer's gas estimate is
   * capped by it); beyond 2^53 it is rounded, far above any gas a transaction can spend.
   */
  readonly gasLimit: number;
}

export function prepareTx(tx: Tx, index: number, runtime: ContractRuntime, file?: string): PreparedTx {
  const where = (field: string) => ({ ...(file !== undefined ? { file } : {}), txIndex: index, field: `txs[${index}].${field}` });
  const target = runtime.get(tx.to);
  if (target === undefined) throw new InputError(`unknown contract: no contract is deployed at ${tx.to}`, where("to"));
  const method = target.abi.methods[tx.fn];
  if (method === undefined || !Object.hasOwn(target.abi.methods, tx.fn)) {
    const callable = Object.keys(target.abi.methods).join(", ");
    throw new InputError(`unknown function ${showInput(tx.fn)} of ${target.abi.className} at ${tx.to} (callable: ${callable})`, where("fn"));
  }
  const args = convertArgs(method, tx.args, { ...(file !== undefined ? { file } : {}), txIndex: index, field: `txs[${index}].args` });
  const maxFee = tx.gasLimit * tx.gasPrice;
  if (maxFee > MAX_U256) throw new InputError("gasLimit × gasPrice overflows u256", where("gasPrice"));
  return { index, tx, target, args, hash: txHash(tx), maxFee, gasLimit: Number(tx.gasLimit) };
}

export function prepareBlock(block: Block, runtime: ContractRuntime, file?: string): PreparedTx[] {
  return block.txs.map((tx, index) => prepareTx(tx, index, runtime, file));
}
