/**
 * Hostile contracts (test/fixtures/hostile/) try to leave the sandbox through every object the
 * runtime hands them, and to pollute prototypes other code shares. Each attempt must end as a
 * deterministic revert (or a load error naming the file), leave the host untouched, and give the
 * same receipts in the sequential executor and in the parallel executor's hybrid mode.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ContractLoadError } from "../core/errors.js";
import type { Address } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { withAccountContract } from "../state/genesis.js";
import { ADDRESSES, WorkloadBuilder } from "../workloads/builder.js";
import { tokenTransfer } from "../workloads/tokens.js";
import { runWorkload } from "./helpers.js";

const HOSTILE = join(import.meta.dirname, "fixtures", "hostile");
const ESCAPE: Address = "0x00000000000000000000000000000000000e5c01";
const POLLUTE: Address = "0x00000000000000000000000000000000000e5c02";
const MARK = "PRESCIENT_HOSTILE_ESCAPED";

const ESCAPES: readonly [string, unknown[]][] = [
  ["viaCtx", []],
  ["viaCtxBlock", []],
  ["viaSdkFunction", []],
  ["viaSdkClass", []],
  ["viaStorageField", []],
  ["viaCaughtRevert", []],
  ["viaHostRevert", []],
  ["viaHostTypeError", []],
  ["viaStringArray", [["a", "b"]]],
  ["viaAddressArray", [[ADDRESSES.usdc]]],
  ["viaArrayElement", [["1"]]],
  ["viaPrototypeChain", []],
  ["viaCallResult", []],
  ["viaModule", []],
  ["viaWrapperArguments", []],
];

const POLLUTIONS: readonly [string, unknown[]][] = [
  ["contractPrototype", []],
  ["objectPrototype", []],
  ["arrayPrototype", []],
  ["argumentArrayPrototype", [["x"]]],
  ["sdkClassPrototype", []],
  ["sdkClassStatic", []],
  ["errorPrototype", []],
  ["ownPrototype", []],
  ["instanceField", []],
];

function hostileWorkload() {
  const b = new WorkloadBuilder("hostile");
  const alice = b.account(0);
  const bob = b.account(1);
  b.deploy(ADDRESSES.usdc, "token", { [`balances/${alice.address}`]: 1_000n });
  b.deploy(ESCAPE, join(HOSTILE, "Escape.ts"));
  b.deploy(POLLUTE, join(HOSTILE, "Pollute.ts"));
  for (const [fn, args] of ESCAPES) b.call(alice, { to: ESCAPE, fn, args: args as never });
  for (const [fn, args] of POLLUTIONS) b.call(bob, { to: POLLUTE, fn, args: args as never });
  b.call(bob, { to: POLLUTE, fn: "probe", args: [] });
  b.call(alice, tokenTransfer(ADDRESSES.usdc, alice.address, bob.address, 10n, false));
  return b.build();
}

function hostUntouched(): void {
  expect(process.env[MARK]).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  expect(Object.hasOwn(Array.prototype, "polluted")).toBe(false);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

function comparable(receipts: readonly { status: string; gasUsed: number; fee: bigint; error?: string; events?: readonly unknown[] }[]) {
  return receipts.map((r) => ({ status: r.status, gasUsed: r.gasUsed, fee: r.fee, error: r.error, events: r.events ?? [] }));
}

describe("hostile contracts", () => {
  const workload = hostileWorkload();
  const executors: ParallelExecutor[] = [];
  afterAll(async () => {
    for (const e of executors) await e.close();
  });

  it("cannot reach the host Function or pollute shared prototypes: every attempt reverts", async () => {
    const { result } = await runWorkload(workload);
    hostUntouched();
    const receipts = result.receipts;
    const names = [...ESCAPES, ...POLLUTIONS].map(([fn]) => fn);
    for (const [i, fn] of names.entries()) {
      expect(receipts[i]!.status, `${fn}: ${receipts[i]!.error}`).toBe("revert");
      expect(receipts[i]!.error, fn).not.toContain("escaped");
    }
    // Code generation from strings is off in the realm: the realm's own Function refuses.
    const byName = new Map(names.map((fn, i) => [fn, receipts[i]!.error]));
    expect(byName.get("viaSdkFunction")).toBe("contract error: EvalError: Code generation from strings disallowed for this context");
    expect(byName.get("viaCaughtRevert")).toBe("contract error: EvalError: Code generation from strings disallowed for this context");
    expect(byName.get("viaHostRevert")).toBe("contract error: EvalError: Code generation from strings disallowed for this context");
    expect(byName.get("viaStringArray")).toBe("contract error: EvalError: Code generation from strings disallowed for this context");
    // The call context is a null-prototype object: no constructor at all.
    expect(byName.get("viaCtx")).toMatch(/^contract error: TypeError: Cannot read properties of undefined/);
    expect(byName.get("viaPrototypeChain")).toBe("no prototype led out");
    expect(byName.get("viaWrapperArguments")).toBe("no wrapper argument led out");
    for (const fn of ["contractPrototype", "objectPrototype", "arrayPrototype", "argumentArrayPrototype", "sdkClassPrototype", "sdkClassStatic", "ownPrototype", "instanceField"]) {
      expect(byName.get(fn), fn).toMatch(/^contract error: TypeError: Cannot (add|assign to read only) property/);
    }
    // errorPrototype catches its own revert, then fails on the frozen prototype.
    expect(byName.get("errorPrototype")).toMatch(/^contract error: TypeError: Cannot add property polluted/);
    const probe = receipts[names.length]!;
    expect(probe.status, probe.error).toBe("success");
    expect(receipts[names.length + 1]!.status).toBe("success");
  });

  it("gives the same receipts and state in the parallel executor (hybrid, 2 threads)", async () => {
    const sequential = await runWorkload(workload, { enforce: "off", checkSignatures: true });
    const executor = await ParallelExecutor.create({ genesis: withAccountContract(workload.genesis), baseDir: import.meta.dirname, threads: 2, capacity: 1 << 14 });
    executors.push(executor);
    const loaded = await executor.load({ block: workload.block, checkSignatures: true });
    const parallel = await executor.execute({ block: loaded, mode: "hybrid", enforce: "off", events: true, inlineBelowSpeedup: 0 });
    expect(comparable(parallel.receipts)).toEqual(comparable(sequential.result.receipts));
    expect(parallel.stateRoot).toBe(sequential.result.stateRoot);
    hostUntouched();
  });

  it("refuses a module that reaches for the host at load time, naming the file", async () => {
    const genesis = withAccountContract({ contracts: [{ address: ESCAPE, contract: join(HOSTILE, "LoadEscape.ts"), storage: {} }], accounts: [] });
    const loading = ContractRuntime.create({ genesis, baseDir: import.meta.dirname });
    await expect(loading).rejects.toBeInstanceOf(ContractLoadError);
    await expect(loading).rejects.toThrow(/LoadEscape\.ts: the module threw while loading: Code generation from strings disallowed/);
    hostUntouched();
  });
});
