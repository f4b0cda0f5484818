/**
 * The sandbox under attack, class by class (test/fixtures/sandbox/): storage outside the running
 * contract, gas that mints, inner calls with values of the wrong type, state kept in the realm's
 * globals and recursion whose depth depends on the thread, memory beyond what gas pays for,
 * prototype chains the engine walks in one step, keys the state root or LMDB cannot hold, and code
 * that runs at load time. One block holds every attempt among ordinary token transfers; it runs in
 * the sequential executor and in every parallel mode at 1 and 2 threads, in memory and committed
 * to a state directory (LMDB) in every mode. Every run must give the same receipts and root, no
 * attempt may write outside its own contract or mint (native and token supplies are conserved,
 * fees included), and the host process must be untouched.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../chain/chain.js";
import { ACCOUNTS_ADDRESS, balanceLocation } from "../core/protocol.js";
import type { Address, Receipt, Value } from "../core/types.js";
import { LIMITS } from "../contracts/sdk/gas.js";
import type { ExecutionMode } from "../core/types.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { ADDRESSES, WorkloadBuilder } from "../workloads/builder.js";
import { tokenTransfer } from "../workloads/tokens.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { EveryMode, differences, type EveryModeResult } from "./everyMode.js";

const SANDBOX = join(import.meta.dirname, "fixtures", "sandbox");
const at = (n: number): Address => `0x00000000000000000000000000000000005a0d${n.toString(16).padStart(2, "0")}`;
const C = {
  forge: at(1),
  gas: at(2),
  typed: at(3),
  callee: at(4),
  world: at(5),
  memory: at(6),
  chains: at(7),
  keys: at(8),
} as const;
type Target = keyof typeof C;
const FILES: Record<Target, string> = {
  forge: "Forge.ts",
  gas: "GasGame.ts",
  typed: "TypedCall.ts",
  callee: "Callee.ts",
  world: "World.ts",
  memory: "Memory.ts",
  chains: "Chains.ts",
  keys: "Keys.ts",
};
const TOKEN = ADDRESSES.usdc;
const SENDERS = 8;
const BENIGN = [20, 21, 22, 23];
const VICTIM = 30;
const VICTIM_TOKENS = 1_000_000n;

/** The class of attack an attempt belongs to (the findings). */
type Class = "capabilities" | "gas" | "typed calls" | "one world" | "memory" | "prototype chains" | "keys";

interface Attempt {
  readonly class: Class;
  readonly to: Target;
  readonly fn: string;
  /** Arguments; "victim", "token" and "callee" stand for those addresses. */
  readonly args?: readonly string[];
  readonly gas?: bigint;
  readonly status: Receipt["status"];
  readonly error?: string | RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const SANDBOX_WRITE = /^sandbox: write of ".*" is outside the running contract 0x[0-9a-f]{40}$/;
const NO_METHOD = "contract error: TypeError: Cannot read properties of undefined (reading 'call')";
const WORK = "work: units must be a non-negative safe integer";
const CALL = (fn: string, what: string) => new RegExp(`^call to 0x[0-9a-f]{40} ${fn}: ${what}`);
const CHAIN = (what: string) => `contract error: RangeError: ${what}: a prototype chain longer than the contract limit of ${LIMITS.prototypeChain}`;
const MEMORY = `the transaction exceeds the memory limit of ${LIMITS.memory} bytes`;
const READ_ONLY = (name: string) => new RegExp(`^contract error: TypeError: Cannot assign to read only property '${escape(name)}' of `);

const ATTEMPTS: readonly Attempt[] = [
  // Capabilities: forged receivers find no method to call; derived and borrowed handles write only their own locations.
  { class: "capabilities", to: "forge", fn: "mintNative", status: "revert", error: NO_METHOD },
  { class: "capabilities", to: "forge", fn: "forgeValue", args: ["token"], status: "revert", error: NO_METHOD },
  { class: "capabilities", to: "forge", fn: "readForeign", args: ["token"], status: "revert", error: NO_METHOD },
  { class: "capabilities", to: "forge", fn: "emptyLocation", status: "revert", error: NO_METHOD },
  { class: "capabilities", to: "forge", fn: "derivedHandle", args: ["token"], status: "success" },
  { class: "capabilities", to: "forge", fn: "borrowedMethods", args: ["token"], status: "success" },
  { class: "capabilities", to: "forge", fn: "lateWrite", status: "revert", error: SANDBOX_WRITE },
  // Gas: every malformed count reverts where it enters the meter.
  ...["negativeWork", "fractionalWork", "nanWork", "infiniteWork", "unsafeWork", "objectWork"].map((fn): Attempt => ({ class: "gas", to: "gas", fn, status: "revert", error: WORK })),
  { class: "gas", to: "gas", fn: "replaceMath", status: "revert", error: READ_ONLY("Math") },
  { class: "gas", to: "gas", fn: "signatures", gas: 1_000_000n, status: "out-of-gas" },
  // Typed calls: decoded by the callee's ABI, in the caller.
  { class: "typed calls", to: "typed", fn: "negativeAmount", args: ["token", "victim"], status: "revert", error: CALL("transfer", "amount: -400 is negative") },
  { class: "typed calls", to: "typed", fn: "overflowAmount", args: ["token", "victim"], status: "revert", error: CALL("transfer", "amount: the value overflows u256") },
  { class: "typed calls", to: "typed", fn: "valueOfAmount", args: ["token", "victim"], status: "revert", error: CALL("transfer", "amount: expected a u256 bigint, got object") },
  { class: "typed calls", to: "typed", fn: "primitiveAmount", args: ["token", "victim"], status: "revert", error: CALL("transfer", "amount: expected a u256 bigint, got object") },
  { class: "typed calls", to: "typed", fn: "numberAmount", args: ["token", "victim"], status: "revert", error: CALL("transfer", "amount: expected a u256 bigint, got number") },
  { class: "typed calls", to: "typed", fn: "upperCaseAddress", args: ["token", "victim"], status: "revert", error: CALL("transfer", "to: expected a lower-case 0x-prefixed 20-byte address") },
  { class: "typed calls", to: "typed", fn: "missingArgument", args: ["token", "victim"], status: "revert", error: CALL("transfer", "transfer takes 2 argument\\(s\\), got 1") },
  { class: "typed calls", to: "typed", fn: "stringForArray", args: ["callee"], status: "revert", error: CALL("takeStrings", "items: expected an array, got string") },
  { class: "typed calls", to: "typed", fn: "loneSurrogate", args: ["callee"], status: "revert", error: CALL("takeString", "s: the string contains a lone surrogate") },
  { class: "typed calls", to: "typed", fn: "objectResult", args: ["callee"], status: "revert", error: CALL("amountObject", "the return value: .* not object") },
  { class: "typed calls", to: "typed", fn: "negativeResult", args: ["callee"], status: "revert", error: CALL("negative", "the return value: -5 is negative") },
  { class: "typed calls", to: "typed", fn: "arrayResult", args: ["callee"], status: "success" },
  // One world: globals are read-only, so a later probe sees nothing; recursion stops at the same depth everywhere.
  { class: "one world", to: "world", fn: "replaceParseFloat", status: "revert", error: READ_ONLY("parseFloat") },
  { class: "one world", to: "world", fn: "replaceBigInt", status: "revert", error: READ_ONLY("BigInt") },
  { class: "one world", to: "world", fn: "replaceArray", status: "revert", error: READ_ONLY("Array") },
  { class: "one world", to: "world", fn: "probe", status: "success" },
  { class: "one world", to: "world", fn: "defaultParameterDepth", status: "success" },
  { class: "one world", to: "world", fn: "constructorDepth", status: "success" },
  { class: "one world", to: "world", fn: "fieldDepth", status: "success" },
  // Memory: out of gas or the memory limit, counted before the allocation.
  { class: "memory", to: "memory", fn: "newArrays", gas: 30_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "calledArrays", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "literalConstructor", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "describedConstructor", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "computedConstructor", gas: 200_000n, status: "revert", error: 'contract error: TypeError: a method call through a computed "constructor" key is not available to contracts' },
  { class: "memory", to: "memory", fn: "splitObject", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "replaceObject", gas: 200_000n, status: "revert", error: /^contract error: RangeError: String\.prototype\.replaceAll: \d+ exceeds the contract limit of 16384$/ },
  { class: "memory", to: "memory", fn: "upperCase", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "literals", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "events", gas: 2_000_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "slices", gas: 200_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "caughtErrors", gas: 1_000_000n, status: "out-of-gas" },
  { class: "memory", to: "memory", fn: "swallowedErrors", gas: 1_000_000n, status: "out-of-gas" },
  // Prototype chains: refused where the prototype is chosen.
  { class: "prototype chains", to: "chains", fn: "viaCreate", status: "revert", error: CHAIN("Object.create") },
  { class: "prototype chains", to: "chains", fn: "viaProtoLiteral", status: "revert", error: CHAIN("__proto__") },
  { class: "prototype chains", to: "chains", fn: "viaClassExtends", status: "revert", error: CHAIN("class extends") },
  { class: "prototype chains", to: "chains", fn: "viaFunctionPrototype", status: "revert", error: READ_ONLY("prototype") },
  { class: "prototype chains", to: "chains", fn: "viaGenerator", status: "revert", error: READ_ONLY("prototype") },
  { class: "prototype chains", to: "chains", fn: "viaGeneratorMethod", status: "revert", error: READ_ONLY("prototype") },
  { class: "prototype chains", to: "chains", fn: "viaClassGeneratorMethod", status: "revert", error: READ_ONLY("prototype") },
  { class: "prototype chains", to: "chains", fn: "viaSetPrototypeOf", status: "revert", error: /^contract error: TypeError: Object\.setPrototypeOf is not available to contracts/ },
  { class: "prototype chains", to: "chains", fn: "viaProtoSetter", status: "revert", error: /^contract error: TypeError: setting __proto__ is not available to contracts/ },
  { class: "prototype chains", to: "chains", fn: "instanceofWalks", status: "revert", error: CHAIN("Object.create") },
  // Keys: one location limit and well-formed keys, in every configuration.
  { class: "keys", to: "keys", fn: "longNonAscii", status: "revert", error: /^write of a location longer than 1536 key bytes/ },
  { class: "keys", to: "keys", fn: "longPair", status: "revert", error: /^write of a location longer than 1536 key bytes/ },
  { class: "keys", to: "keys", fn: "longAscii", status: "success" },
  { class: "keys", to: "keys", fn: "loneHigh", status: "revert", error: "contract error: TypeError: a map key cannot contain a lone surrogate (it must be well-formed Unicode)" },
  { class: "keys", to: "keys", fn: "loneLow", status: "revert", error: "contract error: TypeError: a map key cannot contain a lone surrogate (it must be well-formed Unicode)" },
  { class: "keys", to: "keys", fn: "separators", status: "success" },
];

function build(attempts: readonly Attempt[]) {
  const b = new WorkloadBuilder("sandbox");
  for (let i = 0; i < SENDERS; i++) b.account(i);
  b.deploy(TOKEN, "token");
  const victim = WorkloadBuilder.plainAddress(VICTIM);
  b.store(TOKEN, `balances/${victim}`, VICTIM_TOKENS);
  for (const i of BENIGN) b.store(TOKEN, `balances/${b.account(i).address}`, 1_000_000n);
  for (const [name, address] of Object.entries(C)) b.deploy(address, join(SANDBOX, FILES[name as Target]));
  const named: Record<string, string> = { victim, token: TOKEN, callee: C.callee };
  const benign = BENIGN.map((i, k) => tokenTransfer(TOKEN, b.account(i).address, b.account(BENIGN[(k + 1) % BENIGN.length]!).address, BigInt(10 + k), true));
  let next = 0;
  attempts.forEach((a, i) => {
    b.call(b.account(i % SENDERS), { to: C[a.to], fn: a.fn, args: (a.args ?? []).map((x) => named[x] ?? x), gasLimit: a.gas ?? 2_000_000n });
    if (i % 7 === 3 && next < benign.length) b.call(b.account(BENIGN[next]!), benign[next++]!);
  });
  while (next < benign.length) b.call(b.account(BENIGN[next]!), benign[next++]!);
  return { ...b.build(), victim };
}

/** Every location's value, with the sum of native balances and of the token's balances. */
function ledger(entries: Iterable<readonly [string, Value]>) {
  const values = new Map<string, Value>();
  let native = 0n;
  let tokens = 0n;
  for (const [loc, value] of entries) {
    values.set(loc, value);
    if (loc.startsWith(`${ACCOUNTS_ADDRESS}/balance/`)) native += value as bigint;
    if (loc.startsWith(`${TOKEN}/balances/`)) tokens += value as bigint;
  }
  return { values, native, tokens };
}

function hostUntouched(): void {
  expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  expect(typeof parseFloat("1")).toBe("number");
  expect(parseFloat("1.5")).toBe(1.5);
  expect(Array.prototype.slice.toString()).toContain("[native code]");
  expect(typeof globalThis.Math.floor).toBe("function");
  expect(Object.isFrozen(Array.prototype)).toBe(false);
}

describe("the sandbox, attacked class by class", () => {
  const workload = build(ATTEMPTS);
  const genesis = withAccountContract(workload.genesis);
  const attacked = new Set(workload.block.txs.flatMap((tx, i) => (tx.to === TOKEN ? [] : [i])));
  let modes: EveryMode;
  let result: EveryModeResult;
  const byClass = (cls: Class) => ATTEMPTS.flatMap((a, k) => (a.class === cls ? [{ attempt: a, receipt: result.sequential.receipts[[...attacked][k]!]! }] : []));

  beforeAll(async () => {
    modes = await EveryMode.create(workload.genesis, import.meta.dirname, [1, 2]);
    result = await modes.run(workload.block, { enforce: "fallback" });
  });
  afterAll(async () => {
    await modes?.close();
  });

  /** Each of `cls`'s attempts ended as written. */
  function endsAsWritten(cls: Class): void {
    for (const { attempt, receipt } of byClass(cls)) {
      const what = `${attempt.to}.${attempt.fn}: ${receipt.status} ${receipt.error ?? ""}`;
      expect(receipt.status, what).toBe(attempt.status);
      if (attempt.error instanceof RegExp) expect(receipt.error, what).toMatch(attempt.error);
      else if (attempt.error !== undefined) expect(receipt.error, what).toBe(attempt.error);
      // A failure pays its gas, never less than the intrinsic cost (no minting of gas).
      expect(receipt.gasUsed, what).toBeGreaterThanOrEqual(21_000);
      expect(receipt.gasUsed, what).toBeLessThanOrEqual(Number(attempt.gas ?? 2_000_000n));
    }
  }

  it("every mode at 1 and 2 threads gives the sequential receipts and root", () => {
    expect(differences(result)).toEqual([]);
    expect(result.runs.length).toBe(6);
    hostUntouched();
  });

  it("no attempt writes outside its own contract, and nothing is minted: native and token supplies are conserved", () => {
    const before = ledger(stateFromGenesis(genesis).entries());
    const state = stateFromGenesis(genesis);
    executeBlockSequential({ block: workload.block, state, runtime: modes.runtime, enforce: "fallback" });
    const after = ledger(state.entries());
    // The sequencer's fees come out of the senders' balances: the native supply is unchanged.
    expect(after.native).toBe(before.native);
    expect(after.tokens).toBe(before.tokens);
    expect(after.values.get(`${TOKEN}/balances/${workload.victim}`)).toBe(VICTIM_TOKENS);
    const hostile = new Set(Object.values(C).map((a) => `${a}/`));
    const senders = new Set(workload.block.txs.map((tx) => tx.from));
    for (const loc of new Set([...before.values.keys(), ...after.values.keys()])) {
      if (before.values.get(loc) === after.values.get(loc)) continue;
      const own = [...hostile].some((prefix) => loc.startsWith(prefix));
      const account = [...senders, workload.block.sequencer].some((a) => loc === balanceLocation(a) || loc === `${ACCOUNTS_ADDRESS}/nonce/${a}`);
      const benignToken = BENIGN.some((i) => loc === `${TOKEN}/balances/${workload.genesis.accounts[i]!.address}`);
      expect(own || account || benignToken, `${loc} changed`).toBe(true);
    }
  });

  it("capabilities: a forged receiver finds no storage method, and a derived handle writes its own locations only", () => endsAsWritten("capabilities"));
  it("gas: a negative, fractional, NaN, infinite, unsafe or object count reverts and pays; Math cannot be replaced", () => endsAsWritten("gas"));
  it("typed calls: arguments and results are decoded by the callee's ABI, primitives only", () => endsAsWritten("typed calls"));
  it("one world: globals cannot be replaced, and recursion through defaults, constructors and fields stops at the same depth on every thread", () => {
    endsAsWritten("one world");
    const depths = byClass("one world").filter(({ attempt }) => attempt.fn.endsWith("Depth"));
    expect(depths.length).toBe(3);
  });
  it("memory: every allocation path ends in out-of-gas or the memory limit", () => endsAsWritten("memory"));

  it("memory: copies too small for size gas still pay memory gas, and the memory limit stops what gas allows", async () => {
    // 10M gas of 8 KB copies, kept: the limit (counted before each copy) comes first. Sequential and hybrid at 2 threads.
    const attempt: Attempt = { class: "memory", to: "memory", fn: "slices", gas: 10_000_000n, status: "revert", error: MEMORY };
    const big = build([attempt]);
    const sequential = modes.sequential(big.block);
    const parallel = await modes.parallel(big.block, "hybrid", 2);
    const receipt = sequential.receipts.find((r) => big.block.txs[r.index]!.to === C.memory)!;
    expect([receipt.status, receipt.error]).toEqual(["revert", MEMORY]);
    // It paid for what it allocated: at least a gas per 64 bytes of the limit.
    expect(receipt.gasUsed).toBeGreaterThan(LIMITS.memory / 64);
    expect(differences({ sequential, runs: [{ mode: "hybrid", threads: 2, result: parallel }] })).toEqual([]);
  });
  it("prototype chains: no chain grows beyond the limit, whichever way it is built", () => endsAsWritten("prototype chains"));
  it("keys: one location limit and well-formed keys", () => endsAsWritten("keys"));

  it("commits the same root to a state directory (LMDB) in every mode", async () => {
    const dirs: string[] = [];
    try {
      for (const mode of ["sequential", "hybrid", "columns", "blockstm"] as const satisfies readonly ExecutionMode[]) {
        const dir = mkdtempSync(join(tmpdir(), "prescient-sandbox-"));
        dirs.push(dir);
        const chain = await Chain.open({ stateDir: join(dir, "state"), genesis: workload.genesis, baseDir: import.meta.dirname, threads: mode === "sequential" ? 1 : 2 });
        try {
          const committed = await chain.commitBlock({ block: workload.block, mode, enforce: "fallback" });
          expect(committed.head.stateRoot, mode).toBe(result.sequential.stateRoot);
        } finally {
          await chain.close();
        }
      }
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
    hostUntouched();
  });
});

describe("the engine's process-wide fast paths", () => {
  it("survive a contract that writes what would switch them off (constructor or @@iterator on arrays, next on iterators, @@isConcatSpreadable), by every route", () => {
    // V8 has one switch per process for each fast path: once off, `slice`, `map`, `for…of` or
    // `concat` run several times slower everywhere, host included. Run in a process of its own,
    // whose switches V8 can show.
    const script = `
      const { ContractRuntime } = await import(${JSON.stringify(join(import.meta.dirname, "..", "dist", "contracts", "runtime", "runtime.js"))});
      const { executeBlockSequential } = await import(${JSON.stringify(join(import.meta.dirname, "..", "dist", "executor", "sequential.js"))});
      const { stateFromGenesis } = await import(${JSON.stringify(join(import.meta.dirname, "..", "dist", "state", "genesis.js"))});
      const { genesis, block } = JSON.parse(process.argv[1], (_k, v) => (typeof v === "string" && /^[0-9]+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
      const runtime = await ContractRuntime.create({ genesis, baseDir: "/" });
      const result = executeBlockSequential({ block, state: stateFromGenesis(genesis), runtime });
      const names = ["ArraySpeciesProtector", "ArrayIteratorProtector", "MapIteratorProtector", "SetIteratorProtector", "StringIteratorProtector", "IsConcatSpreadableProtector", "TypedArraySpeciesProtector", "PromiseSpeciesProtector", "RegExpSpeciesProtector"];
      const off = names.filter((n) => !eval("%" + n + "()"));
      process.stdout.write(JSON.stringify({ off, receipts: result.receipts.map((r) => [r.status, r.error ?? null]) }));
    `;
    const b = new WorkloadBuilder("species");
    b.deploy(C.world, join(SANDBOX, "World.ts"));
    b.call(b.account(0), { to: C.world, fn: "fastPathSwitches", args: [] });
    const w = b.build();
    const input = JSON.stringify({ genesis: withAccountContract(w.genesis), block: w.block }, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    const child = spawnSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", script, input], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    const out = JSON.parse(child.stdout) as { off: string[]; receipts: unknown[] };
    expect(out.receipts).toEqual([["success", null]]);
    expect(out.off).toEqual([]);
  });
});
