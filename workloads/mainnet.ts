/**
 * A mainnet access trace as an executable block: every record becomes a call to the `kv` replay
 * contract with the record's keys and gas, signed by a key made for the record's sender. The
 * block keeps the trace's dependency structure, so real mainnet conflicts can be executed and
 * measured. The coinbase's account key is the commutative fee credit in every record; it stays
 * in a record's keys only where the transaction reached the coinbase directly.
 */
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { InputError } from "../core/errors.js";
import { defaultTracesDir } from "../core/paths.js";
import { readAccessTrace, type AccessTrace } from "../core/trace.js";
import type { Address, Block, Genesis, GenesisAccount, Tx } from "../core/types.js";
import { GAS } from "../contracts/sdk/gas.js";
import { ADDRESSES, BASE_FEE, NATIVE_BALANCE, type Workload } from "./builder.js";
import { keyPairForAddress, signTx, type KeyPair } from "./keys.js";

/** The default mainnet block of `gen mainnet`: 1,100 transactions from 2021. */
export const DEFAULT_MAINNET_BLOCK = 13217637;

export function mainnetTraceFiles(dir = defaultTracesDir()): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^\d+\.json(\.gz)?$/.test(f))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((f) => join(dir, f));
  } catch {
    throw new InputError(`no mainnet access traces at ${dir} (set PRESCIENT_TRACES_DIR)`);
  }
}

export function mainnetTraceFile(blockNumber: number, dir = defaultTracesDir()): string {
  const file = mainnetTraceFiles(dir).find((f) => basename(f) === `${blockNumber}.json` || basename(f) === `${blockNumber}.json.gz`);
  if (file === undefined) throw new InputError(`no access trace for block ${blockNumber} in ${dir}`);
  return file;
}

/** Whether a record reached the coinbase beyond the fee credit (see data/mainnet-access-traces/README.md). */
function reachesCoinbase(tx: AccessTrace["txs"][number], coinbase: Address): boolean {
  return tx.coinbaseDirect !== undefined || tx.from === coinbase || tx.to === coinbase;
}

/** Keys made for trace senders come from this fixed seed, so a trace always gives the same block. */
const TRACE_KEY_SEED = "mainnet";

export function traceToWorkload(trace: AccessTrace): Workload {
  const coinbase = trace.coinbase as Address;
  const feeKey = `acct:${coinbase}`;
  const keys = new Map<Address, KeyPair>();
  const accounts: GenesisAccount[] = [];
  const nonces = new Map<Address, bigint>();
  const txs: Tx[] = trace.txs.map((record) => {
    const from = record.from as Address;
    let key = keys.get(from);
    if (key === undefined) {
      key = keyPairForAddress(TRACE_KEY_SEED, from);
      keys.set(from, key);
      accounts.push({ address: from, publicKey: key.publicKey, balance: NATIVE_BALANCE, nonce: 0n });
    }
    const direct = reachesCoinbase(record, coinbase);
    const reads = direct ? [...record.reads] : record.reads.filter((k) => k !== feeKey);
    const writes = direct ? record.writes : record.writes.filter((k) => k !== feeKey);
    if (direct && !reads.includes(feeKey)) reads.push(feeKey);
    const nonce = nonces.get(from) ?? 0n;
    nonces.set(from, nonce + 1n);
    // Room for every read, write and the replayed work, with margin: replays never run out of gas.
    const gasLimit = BigInt(2 * (GAS.txBase + record.gasUsed + (reads.length + 1) * (GAS.read + GAS.call) + writes.length * GAS.write));
    return signTx(
      { from, nonce, to: ADDRESSES.kv, fn: "exec", args: [reads, writes, String(record.gasUsed)], gasLimit, gasPrice: BASE_FEE },
      key.privateKey,
    );
  });
  const genesis: Genesis = { contracts: [{ address: ADDRESSES.kv, contract: "kv", storage: {} }], accounts };
  const block: Block = { number: BigInt(trace.block), timestamp: 1_600_000_000n, sequencer: coinbase, baseFee: BASE_FEE, txs };
  return { genesis, block };
}

export function mainnetWorkload(blockNumber = DEFAULT_MAINNET_BLOCK): Workload {
  return traceToWorkload(readAccessTrace(mainnetTraceFile(blockNumber)));
}
