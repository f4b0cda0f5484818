import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.js";
import { defaultTracesDir } from "../../core/trace.js";
import { createScheduleCommand, runSchedule, scheduleCommand } from "../../cli/commands/schedule.js";

const block = join(defaultTracesDir(), "11114732.json.gz");

function capture() {
  const out: string[] = [];
  return { out, io: { stdout: (t: string) => void out.push(t), stderr: () => {} } };
}

describe("schedule command", () => {
  it("prints one JSON document with columns, critical path, speedups, prices and assignment", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "prescient-schedule-"));
    const dot = join(tmp, "dag.dot");
    const congestionOut = join(tmp, "congestion.json");
    const { out, io } = capture();
    await runSchedule({ block, threads: 4, json: true, dot, congestionOut }, undefined, io);
    expect(out.length).toBe(1);
    const json = JSON.parse(out[0]!) as Record<string, unknown> & {
      columns: number[][];
      criticalPath: { length: number; gas: number };
      projectedSpeedup: Record<string, number>;
      prices: { perTx: unknown[] };
      assignment: { threads: number; workerOf: number[] };
    };
    expect(json.columns.flat().length).toBe(100);
    expect(json.criticalPath.length).toBe(json.columns.length);
    expect(Object.keys(json.projectedSpeedup)).toEqual(["1", "2", "4", "8", "16", "32"]);
    expect(json.prices.perTx.length).toBe(100);
    expect(json.assignment.threads).toBe(4);
    expect(readFileSync(dot, "utf8")).toMatch(/^digraph/);
    // The congestion state feeds the next run.
    const { out: out2, io: io2 } = capture();
    await runSchedule({ block, json: true, congestionIn: congestionOut }, undefined, io2);
    expect(JSON.parse(out2[0]!)).toHaveProperty("prices");
  });

  it("prints a short human report", async () => {
    const { out, io } = capture();
    await runSchedule({ block }, undefined, io);
    expect(out.join("")).toMatch(/columns: \d+/);
    expect(out.join("")).toMatch(/projected speedup: 1t 1\.00×/);
  });

  it("hands other formats to the loader, and refuses them without one", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "prescient-schedule-"));
    const other = join(tmp, "block.json");
    writeFileSync(other, JSON.stringify({ number: "1", txs: [] }));
    await expect(runSchedule({ block: other }, undefined, capture().io)).rejects.toBeInstanceOf(InputError);
    const { out, io } = capture();
    await runSchedule(
      { block: other, genesis: "g.json", json: true },
      async (file, genesis) => {
        expect(file).toBe(other);
        expect(genesis).toBe("g.json");
        return { feeRecipientLocation: undefined, txs: [{ index: 0, reads: [], writes: ["a"], gas: 5, class: "exact", feeRecipient: "none" }] };
      },
      io,
    );
    expect((JSON.parse(out[0]!) as { columns: number[][] }).columns).toEqual([[0]]);
  });

  it("reports bad input as InputError", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "prescient-schedule-"));
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, '{"format":"access-trace/v1","chain":"x","block":1,"coinbase":"0x' + "1".repeat(40) + '","headerGasUsed":"1","txs":[{"index":0}]}');
    await expect(runSchedule({ block: bad }, undefined, capture().io)).rejects.toThrow(/bad\.json: txs\[0\]\./);
    await expect(runSchedule({ block, threads: 0 }, undefined, capture().io)).rejects.toThrow(/--threads/);
    await expect(runSchedule({ block: join(tmp, "missing.json") }, undefined, capture().io)).rejects.toBeInstanceOf(InputError);
  });

  it("exports yargs command modules", () => {
    expect(scheduleCommand.command).toBe("schedule");
    expect(typeof createScheduleCommand(async () => ({ feeRecipientLocation: undefined, txs: [] })).handler).toBe("function");
  });
});
