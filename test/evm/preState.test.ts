/** Pre-states: a geth genesis alloc runs the same block as the pevm snapshot it is converted from. */
import { describe, expect, it } from "vitest";
import { parsePreState } from "../../evm/input/preStateFile.js";
import { mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { runEvmBlock } from "../../evm/runEvmBlock.js";
import { FAST_BLOCKS, shippedJson, shippedReport, writeTemp } from "./helpers.js";

interface SnapshotAccount {
  basic: { balance: string; nonce: number };
  code: { bytecode: string; original_len: number | string } | null;
  storage: Record<string, string>;
}

/** The snapshot as a geth genesis: `alloc` keyed by address without 0x, decimal balances, padded slots. */
function toGenesis(snapshot: Record<string, SnapshotAccount>): unknown {
  const alloc: Record<string, unknown> = {};
  for (const [address, a] of Object.entries(snapshot)) {
    const code = a.code === null ? undefined : a.code.bytecode.slice(0, 2 + 2 * Number(a.code.original_len));
    const storage = Object.fromEntries(Object.entries(a.storage).map(([k, v]) => [`0x${k.slice(2).padStart(64, "0")}`, `0x${v.slice(2).padStart(64, "0")}`]));
    alloc[address.slice(2)] = { balance: BigInt(a.basic.balance).toString(), nonce: `0x${a.basic.nonce.toString(16)}`, ...(code !== undefined ? { code } : {}), storage };
  }
  return { config: { chainId: 1 }, alloc };
}

describe("a geth genesis alloc as the pre-state", () => {
  it("is a whole state: nothing it lacks exists, no read is a hole", () => {
    const pre = parsePreState({ alloc: { "0x00000000000000000000000000000000000000aa": { balance: "0x10" } } });
    expect(pre.kind).toBe("alloc");
    expect(pre.isMissingSlot("0x00000000000000000000000000000000000000aa", "0x00000000000000000000000000000000000000aa/storage/0x00")).toBe(false);
  });

  it("runs a mainnet block to the same verified result as the snapshot it came from", async () => {
    const number = FAST_BLOCKS.cancun;
    const genesisFile = writeTemp("genesis.json", toGenesis(shippedJson(number, "pre_state") as unknown as Record<string, SnapshotAccount>));
    const fromGenesis = await runEvmBlock({ source: { ...mainnetBlockSource(number), preStateFile: genesisFile }, predict: false });
    const fromSnapshot = await shippedReport(number, { predict: false });
    expect(fromGenesis.verified).toBe(true);
    expect(fromGenesis.postStateDigest).toBe(fromSnapshot.postStateDigest);
  });
});
