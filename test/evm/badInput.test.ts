/**
 * Bad EVM input: a clear InputError naming the file, the field (and the transaction), exit 2 from
 * the CLI, nothing run on a guess. A pre-state with a hole fails on the read that falls into it.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.js";
import { SnapshotMissError } from "../../evm/errors.js";
import { mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { runEvmBlock } from "../../evm/runEvmBlock.js";
import { cli } from "../helpers.js";
import { shippedJson, writeTemp } from "./helpers.js";

const SMALL = 46147; // one transfer (Frontier)
const CONTRACTS = 19933122; // 45 transactions, contracts with storage (Cancun)
const BLOCKHASH = 2462997; // uses BLOCKHASH (9 transactions)

async function failure(blockValue: unknown, preStateValue: unknown, blockHashes?: unknown): Promise<InputError> {
  const blockFile = writeTemp("block.json", blockValue);
  const preStateFile = writeTemp("pre_state.json", preStateValue);
  const blockHashesFile = blockHashes === undefined ? undefined : writeTemp("block_hashes.json", blockHashes);
  try {
    await runEvmBlock({ source: { blockFile, preStateFile, blockHashesFile }, predict: false });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("the run did not fail");
}

function transactions(block: Record<string, unknown>): Record<string, unknown>[] {
  return block.transactions as Record<string, unknown>[];
}

describe("a malformed block", () => {
  it("names the file and the field", async () => {
    const block = shippedJson(SMALL, "block");
    delete block.number;
    const error = await failure(block, shippedJson(SMALL, "pre_state"));
    expect(error.field).toBe("number");
    expect(error.file).toMatch(/block\.json$/);
  });

  it("names the transaction and its field", async () => {
    const block = shippedJson(CONTRACTS, "block");
    transactions(block)[3]!.value = "lots";
    const error = await failure(block, shippedJson(CONTRACTS, "pre_state"));
    expect(error.field).toBe("transactions[3].value");
    expect(error.txIndex).toBe(3);
  });

  it("catches a well-formed but altered transaction by its hash", async () => {
    const block = shippedJson(CONTRACTS, "block");
    transactions(block)[5]!.value = "0x1";
    const error = await failure(block, shippedJson(CONTRACTS, "pre_state"));
    expect(error.field).toBe("transactions[5].hash");
    expect(error.message).toMatch(/does not match the signed transaction/);
  });

  it("catches a published sender the signature does not give", async () => {
    const block = shippedJson(SMALL, "block");
    transactions(block)[0]!.from = "0x00000000000000000000000000000000000000aa";
    const error = await failure(block, shippedJson(SMALL, "pre_state"));
    expect(error.field).toBe("transactions[0].from");
  });

  it("reads malformed JSON as an input error", async () => {
    const error = await failure("{ not json", shippedJson(SMALL, "pre_state"));
    expect(error.message).toMatch(/malformed JSON/);
  });
});

describe("a malformed or incomplete pre-state", () => {
  it("names the account and the field of a bad value", async () => {
    const pre = shippedJson(SMALL, "pre_state") as Record<string, { basic: { balance: unknown } }>;
    const [address] = Object.keys(pre);
    pre[address!]!.basic.balance = "0xzz";
    const error = await failure(shippedJson(SMALL, "block"), pre);
    expect(error.field).toBe(`${address}.basic.balance`);
    expect(error.file).toMatch(/pre_state\.json$/);
  });

  it("checks the code against its hash", async () => {
    const pre = shippedJson(CONTRACTS, "pre_state") as Record<string, { code_hash: string | null }>;
    const address = Object.keys(pre).find((a) => pre[a]!.code_hash !== null)!;
    pre[address]!.code_hash = `0x${"11".repeat(32)}`;
    const error = await failure(shippedJson(CONTRACTS, "block"), pre);
    expect(error.field).toBe(`${address}.code_hash`);
  });

  it("names a sender the pre-state lacks", async () => {
    const block = shippedJson(SMALL, "block");
    const sender = transactions(block)[0]!.from as string;
    const pre = shippedJson(SMALL, "pre_state");
    delete pre[sender];
    const error = await failure(block, pre);
    expect(error.message).toContain(`its sender ${sender} is not in the pre-state`);
    expect(error.field).toBe("transactions[0].from");
    expect(error.txIndex).toBe(0);
  });

  it("fails on a slot the snapshot should list, never reading it as zero", async () => {
    const pre = shippedJson(CONTRACTS, "pre_state") as Record<string, { code_hash: string | null; storage: Record<string, string> }>;
    const address = Object.keys(pre).find((a) => pre[a]!.code_hash !== null && Object.keys(pre[a]!.storage).length > 0)!;
    const [slot] = Object.keys(pre[address]!.storage);
    delete pre[address]!.storage[slot!];
    const error = await failure(shippedJson(CONTRACTS, "block"), pre);
    expect(error).toBeInstanceOf(SnapshotMissError);
    expect(error.field).toBe(`${address}.storage`);
    expect(error.message).toContain(`slot 0x${slot!.slice(2).padStart(64, "0")} of ${address}`);
    expect(error.txIndex).toBeTypeOf("number");
  });

  it("fails on a block hash BLOCKHASH needs and no file gives", async () => {
    const error = await failure(shippedJson(BLOCKHASH, "block"), shippedJson(BLOCKHASH, "pre_state"));
    expect(error).toBeInstanceOf(SnapshotMissError);
    expect(error.message).toMatch(/asks for the hash of block [0-9]+ \(BLOCKHASH\), which no block-hash file was given for/);
  });

  it("runs when the block-hash file gives it", async () => {
    const report = await runEvmBlock({ source: mainnetBlockSource(BLOCKHASH), predict: false });
    expect(report.verified).toBe(true);
  });
});

describe("the CLI on bad EVM input", () => {
  it("exits 2 naming the missing sender, with no stack trace", () => {
    const block = shippedJson(SMALL, "block");
    const pre = shippedJson(SMALL, "pre_state");
    delete pre[transactions(block)[0]!.from as string];
    const r = cli(["evm", "run", "--block", writeTemp("cli-block.json", block), "--pre-state", writeTemp("cli-pre.json", pre), "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: .*cli-block\.json: transactions\[0\]\.from: transaction 0 is invalid .* is not in the pre-state/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });
});
