/**
 * Hostile contracts (test/fixtures/hostile/): escapes from the sandbox, prototype and module-state
 * pollution, huge allocations, deep recursion, endless loops, thrown non-errors, storage touched
 * after a failure, reentrancy. One block holds every attempt, interleaved with ordinary token
 * transfers, and runs in the sequential executor and in every parallel mode at 1 and 2 threads:
 * every attempt must end as the outcome written here (a revert, an out-of-gas, or what the
 * attack really achieves), identically in every mode, without touching the other transactions or
 * the host.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractLoadError } from "../core/errors.js";
import type { Address, Receipt } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { LIMITS } from "../contracts/sdk/gas.js";
import { blockToJson } from "../core/schema.js";
import { withAccountContract } from "../state/genesis.js";
import { toJson } from "../cli/output.js";
import { ADDRESSES, WorkloadBuilder } from "../workloads/builder.js";
import { tokenTransfer } from "../workloads/tokens.js";
import { EveryMode, differences } from "./everyMode.js";

const HOSTILE = join(import.meta.dirname, "fixtures", "hostile");
const at = (n: number): Address => `0x00000000000000000000000000000000000e5c${n.toString(16).padStart(2, "0")}`;
const C = {
  escape: at(1),
  pollute: at(2),
  resources: at(3),
  stack: at(4),
  throws: at(5),
  afterRevert: at(6),
  bank: at(7),
  reenter: at(8),
  spin: at(9),
  moduleState: at(10),
  thenable: at(11),
} as const;
const FILES: Record<keyof typeof C, string> = {
  escape: "Escape.ts",
  pollute: "Pollute.ts",
  resources: "Resources.ts",
  stack: "Stack.ts",
  throws: "Throws.ts",
  afterRevert: "AfterRevert.ts",
  bank: "Bank.ts",
  reenter: "Reenter.ts",
  spin: "Spin.ts",
  moduleState: "ModuleState.ts",
  thenable: "Thenable.ts",
};
const MARK = "PRESCIENT_HOSTILE_ESCAPED";
const HOSTILE_SENDERS = 8;
const BENIGN = [20, 21, 22, 23];

/** What a hostile call must end as: a status and, for reverts, the receipt's error. */
interface Attempt {
  readonly to: keyof typeof C;
  readonly fn: string;
  readonly args?: readonly unknown[];
  readonly gas?: bigint;
  readonly status: Receipt["status"];
  readonly error?: string | RegExp;
  readonly declared?: { reads: string[]; writes: string[] };
}

const CODEGEN = "contract error: EvalError: Code generation from strings disallowed for this context";
const FROZEN = /^contract error: TypeError: Cannot (add|assign to read only) property/;
const LIMIT = (what: string) => new RegExp(`^contract error: RangeError: ${what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: \\d+ exceeds the contract limit of \\d+$`);
const BIGINT_LIMIT = "contract error: RangeError: a bigint above 4096 bits exceeds the contract limit";
const SLOTS = `contract call stack exceeds ${LIMITS.stackSlots} slots`;

const ATTEMPTS: readonly Attempt[] = [
  // Escapes: every object handed to a contract belongs to its realm, whose Function cannot compile.
  { to: "escape", fn: "viaCtx", status: "revert", error: /^contract error: TypeError: Cannot read properties of undefined/ },
  { to: "escape", fn: "viaCtxBlock", status: "revert", error: /^contract error: TypeError: Cannot read properties of undefined/ },
  { to: "escape", fn: "viaSdkFunction", status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaSdkClass", status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaStorageField", status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaCaughtRevert", status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaHostRevert", status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaHostTypeError", status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaStringArray", args: [["a", "b"]], status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaAddressArray", args: [[ADDRESSES.usdc]], status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaArrayElement", args: [["1"]], status: "revert", error: CODEGEN },
  { to: "escape", fn: "viaPrototypeChain", status: "revert", error: "no prototype led out" },
  { to: "escape", fn: "viaCallResult", status: "revert", error: CODEGEN },
  // Pollution of what other code shares.
  ...["contractPrototype", "objectPrototype", "arrayPrototype", "sdkClassPrototype", "sdkClassStatic", "errorPrototype", "ownPrototype", "instanceField"].map((fn): Attempt => ({ to: "pollute", fn, status: "revert", error: FROZEN })),
  { to: "pollute", fn: "argumentArrayPrototype", args: [["x"]], status: "revert", error: FROZEN },
  { to: "pollute", fn: "probe", status: "success" },
  // State kept outside storage: module bindings and intrinsics are frozen.
  ...["constObject", "constArray", "functionProperty", "staticField", "arrayIteratorPrototype", "generatorPrototype", "accessorFunction"].map((fn): Attempt => ({ to: "moduleState", fn, status: "revert", error: FROZEN })),
  { to: "moduleState", fn: "count", status: "success" },
  // Huge allocations: a RangeError of the contract limits, or out of gas, before the host allocates.
  { to: "resources", fn: "repeat", status: "revert", error: LIMIT("String.prototype.repeat") },
  { to: "resources", fn: "padStart", status: "revert", error: LIMIT("String.prototype.padStart") },
  { to: "resources", fn: "fill", status: "revert", error: LIMIT("Array") },
  { to: "resources", fn: "spreadHoles", status: "revert", error: LIMIT("spread") },
  { to: "resources", fn: "arrayFromLength", status: "revert", error: LIMIT("Array.from") },
  { to: "resources", fn: "setFromKeys", gas: 300_000n, status: "out-of-gas" },
  { to: "resources", fn: "joinAmplified", status: "revert", error: LIMIT("Array.prototype.join") },
  { to: "resources", fn: "doubleString", status: "revert", error: LIMIT("string concatenation") },
  // Even with little gas: the string limit comes before the gas runs out.
  { to: "resources", fn: "doubleString", gas: 200_000n, status: "revert", error: LIMIT("string concatenation") },
  { to: "resources", fn: "doubleTemplate", status: "revert", error: LIMIT("template literal") },
  { to: "resources", fn: "replaceAmplified", status: "revert", error: LIMIT("String.prototype.replaceAll") },
  { to: "resources", fn: "replacePrefix", status: "revert", error: LIMIT("String.prototype.replaceAll") },
  { to: "resources", fn: "bigintPow", status: "revert", error: BIGINT_LIMIT },
  { to: "resources", fn: "bigintShift", status: "revert", error: BIGINT_LIMIT },
  { to: "resources", fn: "bigintSquare", status: "revert", error: BIGINT_LIMIT },
  { to: "resources", fn: "bigintAsUintN", status: "revert", error: LIMIT("BigInt.asUintN") },
  { to: "resources", fn: "bigintParse", status: "revert", error: LIMIT("BigInt") },
  // A string of 2^24 characters cannot be built any more: keys, spreads and splits of it never start.
  { to: "resources", fn: "objectKeysOfString", status: "revert", error: LIMIT("String.prototype.repeat") },
  { to: "resources", fn: "spreadStringIntoObject", status: "revert", error: LIMIT("String.prototype.repeat") },
  { to: "resources", fn: "splitChars", status: "revert", error: LIMIT("String.prototype.repeat") },
  { to: "resources", fn: "caught", status: "success" },
  { to: "resources", fn: "ordinary", args: [["a", "b", "c"]], status: "success" },
  // Deep recursion: the frame count, the stack-slot budget or a nesting limit, never the engine's stack.
  { to: "stack", fn: "plainRecursion", args: ["5000"], status: "revert", error: "call depth exceeds 1024 contract frames" },
  { to: "stack", fn: "fatRecursion", args: ["5000"], status: "revert", error: SLOTS },
  { to: "stack", fn: "applyRecursion", args: ["5000"], status: "revert", error: SLOTS },
  { to: "stack", fn: "bindChain", args: ["300"], status: "revert", error: SLOTS },
  { to: "stack", fn: "bindChain", args: ["40"], status: "success" },
  { to: "stack", fn: "reflectChain", args: ["5000"], status: "revert", error: SLOTS },
  { to: "stack", fn: "joinNested", args: ["5000"], status: "revert", error: "contract error: RangeError: Array.prototype.join: nesting deeper than the contract limit of 64" },
  { to: "stack", fn: "errorChain", args: ["5000"], status: "revert", error: "contract error: RangeError: Error.prototype.toString: nesting deeper than the contract limit of 64" },
  { to: "stack", fn: "flatDeep", args: ["5000"], status: "success" },
  { to: "stack", fn: "probe", status: "success" },
  { to: "stack", fn: "probeFat", status: "success" },
  // Thrown values that are not errors, or fight being read.
  { to: "throws", fn: "undefinedValue", status: "revert", error: "contract threw a non-Error value" },
  { to: "throws", fn: "nullValue", status: "revert", error: "contract threw a non-Error value" },
  { to: "throws", fn: "numberValue", status: "revert", error: "contract threw a non-Error value" },
  { to: "throws", fn: "longString", status: "revert", error: `contract threw: ${"y".repeat(200)}` },
  { to: "throws", fn: "symbolValue", status: "revert", error: "contract threw a non-Error value" },
  { to: "throws", fn: "bigintValue", status: "revert", error: "contract threw a non-Error value" },
  { to: "throws", fn: "functionValue", status: "revert", error: "contract threw a non-Error value" },
  { to: "throws", fn: "throwingGetters", status: "revert", error: "contract threw a value that cannot be read" },
  { to: "throws", fn: "changingMessage", status: "revert", error: "contract error: Error: read 1" },
  { to: "throws", fn: "hugeName", status: "revert", error: `contract error: ${"N".repeat(100)}: short` },
  { to: "throws", fn: "fakeRevert", status: "revert", error: "contract error: Revert: I am a revert" },
  { to: "throws", fn: "endlessGetter", gas: 200_000n, status: "out-of-gas" },
  { to: "throws", fn: "fromToString", status: "revert", error: "contract threw a non-Error value" },
  // Endless code wherever the engine runs contract code on its own.
  ...["whileTrue", "inGetter", "inComparator", "inIterator", "inToString", "swallowAndLoop", "inFinally", "inSpread"].map((fn): Attempt => ({ to: "spin", fn, gas: 300_000n, status: "out-of-gas" })),
  // Storage after a failure.
  { to: "afterRevert", fn: "catchCalleeRevert", status: "success" },
  { to: "afterRevert", fn: "writeInFinally", status: "revert", error: "first" },
  { to: "afterRevert", fn: "swallowOutOfGas", gas: 300_000n, status: "out-of-gas" },
  { to: "afterRevert", fn: "swallowViolation", status: "revert", error: `AccessListViolation: read of ${C.afterRevert}/slots/undeclared is not in the declared access list`, declared: { reads: [], writes: [`${C.afterRevert}/slots/declared`] } },
  // Code that would run after the transaction: nothing awaits a contract's thenable.
  { to: "thenable", fn: "thenable", status: "success" },
  { to: "thenable", fn: "viaCall", status: "revert", error: /^call to 0x[0-9a-f]{40} thenable: the return value: .* not object$/ },
  // Reentrancy: the attack works as written (prescient runs contracts, it does not fix them), the same everywhere.
  { to: "reenter", fn: "attack", args: [C.bank, "3"], status: "success" },
  { to: "reenter", fn: "forever", args: ["0"], status: "revert", error: "call depth exceeds 64" },
];

function build(attempts: readonly Attempt[], benign: boolean) {
  const b = new WorkloadBuilder("hostile");
  for (let i = 0; i < HOSTILE_SENDERS; i++) b.account(i);
  b.deploy(ADDRESSES.usdc, "token");
  for (const i of BENIGN) b.store(ADDRESSES.usdc, `balances/${b.account(i).address}`, 1_000_000n);
  for (const [name, address] of Object.entries(C)) b.deploy(address, join(HOSTILE, FILES[name as keyof typeof C]));
  // The bank holds others' deposits the attack drains.
  b.store(C.bank, `balances/${b.account(0).address}`, 1_000n);
  const benignCalls = benign ? BENIGN.map((i, k) => tokenTransfer(ADDRESSES.usdc, b.account(i).address, b.account(BENIGN[(k + 1) % BENIGN.length]!).address, BigInt(10 + k), true)) : [];
  let next = 0;
  attempts.forEach((a, i) => {
    b.call(b.account(i % HOSTILE_SENDERS), { to: C[a.to], fn: a.fn, args: (a.args ?? []) as never, gasLimit: a.gas ?? 10_000_000n, ...(a.declared !== undefined ? { accessList: a.declared } : {}) });
    if (i % 9 === 4 && next < benignCalls.length) b.call(b.account(BENIGN[next]!), benignCalls[next++]!);
  });
  while (next < benignCalls.length) b.call(b.account(BENIGN[next]!), benignCalls[next++]!);
  return b.build();
}

function hostUntouched(): void {
  expect(process.env[MARK]).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  expect(Object.hasOwn(Array.prototype, "polluted")).toBe(false);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  // The guards changed the contracts' realm only.
  expect(Array.prototype.join.toString()).toContain("[native code]");
  expect(Function.prototype.apply.toString()).toContain("[native code]");
  expect(typeof JSON.stringify).toBe("function");
  expect(typeof Promise).toBe("function");
  expect(Error.stackTraceLimit).toBeGreaterThan(0);
  expect(Object.isFrozen(Array.prototype)).toBe(false);
}

describe("hostile contracts", () => {
  const workload = build(ATTEMPTS, true);
  const benignOnly = build([], true);
  let modes: EveryMode;
  beforeAll(async () => {
    modes = await EveryMode.create(workload.genesis, import.meta.dirname, [1, 2]);
  });
  afterAll(async () => {
    await modes?.close();
  });

  it("end as written, identically in the sequential executor and every parallel mode at 1 and 2 threads", async () => {
    const result = await modes.run(workload.block, { enforce: "strict" });
    expect(differences(result)).toEqual([]);
    expect(result.runs.length).toBe(6);
    const receipts = result.sequential.receipts;
    const hostile = workload.block.txs.map((tx, i) => ({ tx, receipt: receipts[i]! })).filter(({ tx }) => tx.to !== ADDRESSES.usdc);
    expect(hostile.length).toBe(ATTEMPTS.length);
    for (const [i, attempt] of ATTEMPTS.entries()) {
      const { receipt } = hostile[i]!;
      const what = `${attempt.to}.${attempt.fn}: ${receipt.status} ${receipt.error ?? ""}`;
      expect(receipt.status, what).toBe(attempt.status);
      if (attempt.error instanceof RegExp) expect(receipt.error, what).toMatch(attempt.error);
      else if (attempt.error !== undefined) expect(receipt.error, what).toBe(attempt.error);
      // Receipts stay small whatever a contract throws.
      expect((receipt.error ?? "").length, what).toBeLessThanOrEqual(1200);
    }
    hostUntouched();
  });

  it("leave the other transactions of the block as they would be without them", async () => {
    const withHostile = modes.sequential(workload.block, { enforce: "strict" });
    const alone = modes.sequential(benignOnly.block, { enforce: "strict" });
    const benignReceipts = workload.block.txs.flatMap((tx, i) => (tx.to === ADDRESSES.usdc ? [withHostile.receipts[i]!] : []));
    // (Fees differ only by the gas prices the builder drew.)
    expect(benignReceipts.map((r) => [r.status, r.gasUsed, r.error])).toEqual(alone.receipts.map((r) => [r.status, r.gasUsed, r.error]));
    expect(benignReceipts.every((r) => r.status === "success")).toBe(true);
  });

  it("record what the attacks really achieved, and only that", async () => {
    const executor = modes.executor(2);
    await modes.parallel(workload.block, "hybrid", 2, { enforce: "strict" });
    const read = (loc: string) => executor.state.get(loc);
    const attacker = C.reenter;
    // Three reentrant withdrawals of the 100 deposited: 400 paid out of the bank's 1,100.
    expect(read(`${C.bank}/paid/${attacker}`)).toBe(400n);
    expect(read(`${attacker}/received`)).toBe(400n);
    // A callee's revert undoes only the callee's writes; every failed transaction wrote nothing.
    expect(read(`${C.afterRevert}/slots/before`)).toBe(1n);
    expect(read(`${C.afterRevert}/slots/after`)).toBe(1n);
    for (const slot of ["callee", "finally", "loop", "declared"]) expect(read(`${C.afterRevert}/slots/${slot}`), slot).toBeUndefined();
    // No state survived outside storage, and the recursion probes stopped at the same depth everywhere.
    expect(read(`${C.moduleState}/seen`)).toBeUndefined();
    // No thenable ran, not even once the event loop turned.
    await new Promise((resolve) => setImmediate(resolve));
    expect(read(`${C.thenable}/late`)).toBeUndefined();
    expect(read(`${C.stack}/depth`)).toBeGreaterThan(100n);
    expect(read(`${C.resources}/marker`)).toBeGreaterThan(3n);
    hostUntouched();
  });

  it("fit their recursion in 450 KB of the calling thread's stack (the main thread has 984 KB)", () => {
    // The same block on the main thread of a process whose stack is cut to 450 KB: every limit
    // is reached by count, before the engine's stack runs out, so nothing changes.
    const stack = ATTEMPTS.filter((a) => a.to === "stack");
    const small = build(stack, false);
    const expected = modes.sequential(small.block);
    const dist = join(import.meta.dirname, "..", "dist");
    const script = `
      const { executeBlockSequential } = await import(${JSON.stringify(join(dist, "executor", "sequential.js"))});
      const { deployChain } = await import(${JSON.stringify(join(dist, "executor", "chain.js"))});
      const { parseBlock, parseGenesis } = await import(${JSON.stringify(join(dist, "core", "schema.js"))});
      const input = JSON.parse(process.argv[1]);
      const chain = await deployChain(parseBlock(input.block), parseGenesis(input.genesis), "/");
      const r = executeBlockSequential({ block: chain.block, state: chain.state, runtime: chain.runtime, prepared: chain.prepared });
      process.stdout.write(JSON.stringify({ root: r.stateRoot, receipts: r.receipts.map((x) => [x.status, x.gasUsed, x.error ?? null]) }));
    `;
    const input = JSON.stringify({ block: blockToJson(small.block), genesis: JSON.parse(toJson(withAccountContract(small.genesis))) as unknown });
    const child = spawnSync(process.execPath, ["--stack-size=450", "--input-type=module", "-e", script, input], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    const got = JSON.parse(child.stdout) as { root: string; receipts: unknown[] };
    expect(got.receipts).toEqual(expected.receipts.map((x) => [x.status, x.gasUsed, x.error ?? null]));
    expect(got.root).toBe(expected.stateRoot);
  });

  it("refuse modules that escape or keep state at load time, naming file:line:col and the rule", async () => {
    const load = (file: string) => ContractRuntime.create({ genesis: withAccountContract({ contracts: [{ address: C.escape, contract: join(HOSTILE, file), storage: {} }], accounts: [] }), baseDir: import.meta.dirname });
    await expect(load("LoadEscape.ts")).rejects.toBeInstanceOf(ContractLoadError);
    await expect(load("LoadEscape.ts")).rejects.toThrow(/LoadEscape\.ts:10:11: no-module-state: a module-level constant holds literal data/);
    await expect(load("WrapperEscape.ts")).rejects.toThrow(/WrapperEscape\.ts:\d+:\d+: no-module-wrapper: module is the module wrapper's/);
    hostUntouched();
  });
});
