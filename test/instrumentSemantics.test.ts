/**
 * The gas transformer's rewrites keep what the code means (test/fixtures/sandbox/Semantics.ts):
 * a contract using each rewritten form computes what plain JavaScript computes.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Address } from "../core/types.js";
import { WorkloadBuilder } from "../workloads/builder.js";
import { runWorkload } from "./helpers.js";

describe("instrumented code", () => {
  it("computes what it computes uninstrumented", async () => {
    const address: Address = "0x00000000000000000000000000000000005a0d30";
    const b = new WorkloadBuilder("semantics");
    b.deploy(address, join(import.meta.dirname, "fixtures", "sandbox", "Semantics.ts"));
    b.call(b.account(0), { to: address, fn: "check", args: [], gasLimit: 1_000_000n });
    const { result } = await runWorkload(b.build());
    expect([result.receipts[0]!.status, result.receipts[0]!.error]).toEqual(["success", undefined]);
  });
});
