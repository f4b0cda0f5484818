import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.js";
import { accessSetsFromTrace, parseAccessTrace, readAccessTrace } from "../../core/trace.js";

const cb = "0x" + "c".repeat(40);
const a = "0x" + "a".repeat(40);
const b = "0x" + "b".repeat(40);

function traceWith(txs: unknown[]): Record<string, unknown> {
  return { format: "access-trace/v1", chain: "ethereum-mainnet", block: 7, coinbase: cb, headerGasUsed: "42000", txs };
}

function goodTx(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    index,
    hash: "0x01",
    from: a,
    to: b,
    gasUsed: 21000,
    status: "success",
    reads: [`acct:${a}`, `acct:${b}`, `acct:${cb}`],
    writes: [`acct:${a}`, `acct:${b}`, `acct:${cb}`],
    ...extra,
  };
}

function catchInputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("access-trace loader", () => {
  it("converts a trace: coinbase as fee location, gasUsed as gas, coinbaseDirect and coinbase senders as direct", () => {
    const trace = parseAccessTrace(
      traceWith([goodTx(0), goodTx(1, { coinbaseDirect: "read" }), goodTx(2, { from: cb }), goodTx(3, { to: null })]),
      "t.json",
    );
    const sets = accessSetsFromTrace(trace);
    expect(sets.feeRecipientLocation).toBe(`acct:${cb}`);
    expect(sets.txs.map((t) => t.feeRecipient)).toEqual(["none", "read", "read-write", "none"]);
    expect(sets.txs.every((t) => t.gas === 21000 && t.class === "exact")).toBe(true);
  });

  it("names file, tx index and field for a wrong type", () => {
    const error = catchInputError(() => parseAccessTrace(traceWith([goodTx(0), goodTx(1, { gasUsed: "21000" })]), "block.json"));
    expect(error.file).toBe("block.json");
    expect(error.txIndex).toBe(1);
    expect(error.field).toBe("txs[1].gasUsed");
    expect(error.message).toContain("block.json: txs[1].gasUsed");
  });

  it("names a missing field", () => {
    const tx = goodTx(0);
    delete tx["writes"];
    const error = catchInputError(() => parseAccessTrace(traceWith([tx]), "x.json"));
    expect(error.txIndex).toBe(0);
    expect(error.field).toBe("txs[0].writes");
  });

  it("rejects an index that is not the position", () => {
    const error = catchInputError(() => parseAccessTrace(traceWith([goodTx(0), goodTx(5)]), "x.json"));
    expect(error.txIndex).toBe(1);
    expect(error.field).toBe("txs[1].index");
  });

  it("rejects malformed JSON and a wrong format with the file name", () => {
    const dir = mkdtempSync(join(tmpdir(), "prescient-trace-"));
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"format": "access-trace/v1", ');
    const error = catchInputError(() => readAccessTrace(broken));
    expect(error.file).toBe(broken);
    expect(error.message).toContain("malformed JSON");
    const wrong = catchInputError(() => parseAccessTrace({ ...traceWith([]), format: "other" }, "w.json"));
    expect(wrong.field).toBe("format");
  });
});
