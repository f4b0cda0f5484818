/**
 * The determinism and sandbox lint: each rule rejects a contract at load time with a
 * ContractLoadError naming file:line:column and the rule.
 */
import { describe, expect, it } from "vitest";
import { compileContract } from "../../contracts/runtime/compile.js";
import { ContractLoadError } from "../../core/errors.js";

const HEAD = `import { Contract, StorageValue, StorageMap, type Address } from "prescient/contract";\n`;

/** A contract whose method `f` has `body`; line 4 is the body's first line. */
function contract(body: string, extra = ""): string {
  return `${HEAD}export default class Bad extends Contract {\n  readonly total = new StorageValue<bigint>("total", 0n);${extra}\n  f(): void {\n${body}\n  }\n}\n`;
}

async function loadError(source: string): Promise<ContractLoadError> {
  try {
    await compileContract(source, "bad.ts");
  } catch (error) {
    expect(error).toBeInstanceOf(ContractLoadError);
    return error as ContractLoadError;
  }
  throw new Error("the contract loaded");
}

const CASES: readonly (readonly [string, string, string])[] = [
  ["Date", "    const t = Date.now();", "bad.ts:5:15: no-date: Date reads the wall clock; use this.ctx.block.timestamp"],
  ["Math.random", "    const r = Math.random();", "bad.ts:5:15: no-math-random: Math.random is not deterministic; derive randomness from the block (hashValues)"],
  ["setTimeout", "    setTimeout(() => {}, 1);", "bad.ts:5:5: no-timers: timers are not deterministic (setTimeout)"],
  ["setInterval", "    setInterval(() => {}, 1);", "bad.ts:5:5: no-timers: timers are not deterministic (setInterval)"],
  ["setImmediate", "    setImmediate(() => {});", "bad.ts:5:5: no-timers: timers are not deterministic (setImmediate)"],
  ["queueMicrotask", "    queueMicrotask(() => {});", "bad.ts:5:5: no-timers: timers are not deterministic (queueMicrotask)"],
  ["eval", '    eval("1");', "bad.ts:5:5: no-eval: eval builds code from strings"],
  ["Function", '    const g = new Function("return 1");', "bad.ts:5:19: no-eval: Function builds code from strings"],
  ["process", "    const e = process.env;", "bad.ts:5:15: no-process: process is the host's; contracts cannot see it"],
  ["globalThis", "    const g = globalThis;", "bad.ts:5:15: no-globalthis: globalThis is not available to contracts"],
  ["require", '    const m = require("fs");', 'bad.ts:5:15: no-require: contracts may only import "prescient/contract" (with an import declaration)'],
  ["dynamic import", '    const m = import("fs");', "bad.ts:5:15: no-dynamic-import: dynamic import() loads code at run time"],
  ["for…in", "    for (const k in { a: 1 }) this.total.get();", "bad.ts:5:5: no-for-in: for…in enumerates keys in an engine-defined order; use for…of over an array"],
  ["await", "    await this.total.get();", "bad.ts:5:5: no-async: await: contracts are synchronous"],
  ["float literal in storage", "    this.total.set(1.5 as unknown as bigint);", "bad.ts:5:20: no-float-storage: storage holds u256 bigints, addresses and booleans; 1.5 as unknown as bigint is a number (write a bigint, e.g. 1n)"],
  ["number-typed value in storage", "    const half: number = 0.5;\n    this.total.set(half as never);", "bad.ts:6:20: no-float-storage: storage holds u256 bigints, addresses and booleans; half as never is a number (write a bigint, e.g. 1n)"],
  ["Number() in a map", '    this.m.set("k", Number(3) as never);', 'bad.ts:5:21: no-float-storage: storage holds u256 bigints, addresses and booleans; Number(3) as never is a number (write a bigint, e.g. 1n)'],
  ["reserved identifier", "    const __prescient_step = 1;", "bad.ts:5:11: no-reserved-identifier: identifiers starting with __prescient are reserved for gas metering"],
  ["Promise", "    void Promise.resolve().then(() => this.total.set(1n));", "bad.ts:5:10: no-promise: Promise callbacks run as microtasks, after the transaction and outside its gas and storage; contracts are synchronous"],
  ["a regular expression literal", '    const ok = /^(a+)+$/.test("aaa");', "bad.ts:5:16: no-regexp: regular expressions can backtrack for exponential time outside the gas meter; parse with string methods"],
  ["RegExp", '    const r = new RegExp("a+");', "bad.ts:5:19: no-regexp: regular expressions can backtrack for exponential time outside the gas meter; parse with string methods"],
  ["spread arguments", "    const xs = [1, 2];\n    Math.max(...xs);", "bad.ts:6:14: no-spread-arguments: spreading into arguments puts every element on the engine's stack, whose size differs between threads; pass the array itself"],
  ["a rest element", "    const [a, ...rest] = [1n, 2n];", "bad.ts:5:15: no-rest-destructuring: a rest element copies the rest of the value inside the engine, outside the gas meter; index into the value or slice it"],
  ["an object rest element", "    const { a, ...rest } = { a: 1n, b: 2n };", "bad.ts:5:16: no-rest-destructuring: a rest element copies the rest of the value inside the engine, outside the gas meter; index into the value or slice it"],
  ["a rest element in an assignment", "    let a = 0n;\n    let r: bigint[] = [];\n    [a, ...r] = [1n, 2n];", "bad.ts:7:9: no-rest-destructuring: a rest element copies the rest of the value inside the engine, outside the gas meter; index into the value or slice it"],
  ["JSON", "    const t = JSON.stringify({});", "bad.ts:5:15: no-unavailable: JSON is not available to contracts (it recurses through data outside the stack budget); build strings with template literals"],
  ["Proxy", "    const p = new Proxy({}, {});", "bad.ts:5:19: no-unavailable: Proxy is not available to contracts (its traps recurse in the engine outside the stack budget)"],
  ["Intl", "    const f = new Intl.NumberFormat();", "bad.ts:5:19: no-unavailable: Intl is not available to contracts: its results depend on the host's locale and time zone"],
  ["console", '    console.log("x");', "bad.ts:5:5: no-unavailable: console is not available to contracts: emit an event instead (this.emit)"],
  ["typed arrays", "    const b = new Uint8Array(2 ** 30);", "bad.ts:5:19: no-unavailable: Uint8Array is not available to contracts (typed arrays allocate memory outside the gas meter); use arrays and bigints"],
  ["WeakRef", "    const w = new WeakRef({});", "bad.ts:5:19: no-unavailable: WeakRef is not available to contracts: garbage collection is not deterministic"],
  ["destructuring constructor", "    const { constructor: C } = [];", "bad.ts:5:13: no-constructor-destructuring: destructuring a computed key or `constructor` is not available to contracts (it could hand out the engine's Array constructor); read the property with `.` or `[…]`"],
  ["destructuring a computed key", '    const k = "a";\n    const { [k]: v } = { a: 1n };', "bad.ts:6:13: no-constructor-destructuring: destructuring a computed key or `constructor` is not available to contracts (it could hand out the engine's Array constructor); read the property with `.` or `[…]`"],
];

/** Rules about what a module may keep: each source, the finding it must raise first. */
const MODULE_CASES: readonly (readonly [string, string, string])[] = [
  ["module-level let", `${HEAD}let calls = 0n;\nexport default class Bad extends Contract {}\n`, "bad.ts:2:1: no-module-state: module-level let and var are state outside storage"],
  ["module-level var", `${HEAD}var calls = 0n;\nexport default class Bad extends Contract {}\n`, "bad.ts:2:1: no-module-state: module-level let and var are state outside storage"],
  ["a constant computed at load time", `${HEAD}const cache = new Map<string, bigint>();\nexport default class Bad extends Contract {}\n`, "bad.ts:2:15: no-module-state: a module-level constant holds literal data, a function or a class"],
  ["a closure made at load time", `${HEAD}const next = (() => { let n = 0n; return () => ++n; })();\nexport default class Bad extends Contract {}\n`, "bad.ts:2:14: no-module-state: a module-level constant holds literal data"],
  ["module-level code", `${HEAD}export default class Bad extends Contract {}\nObject.freeze(Bad);\n`, "bad.ts:3:1: no-module-state: module-level code runs once per executor thread"],
  ["a static field computed at load time", `${HEAD}export default class Bad extends Contract {\n  static seen = new Set<string>();\n}\n`, "bad.ts:3:17: no-module-state: a static field lives as long as the module"],
  ["a static block", `${HEAD}export default class Bad extends Contract {\n  static {\n    void 0;\n  }\n}\n`, "bad.ts:3:3: no-module-state: a static block runs at load time"],
  ["a contract field that is not storage", `${HEAD}export default class Bad extends Contract {\n  readonly seen = new Map<string, bigint>();\n}\n`, "bad.ts:3:19: no-module-state: a deployed contract's fields live as long as the contract"],
  ["a field of a contract's subclass", `${HEAD}class Base extends Contract {}\nexport default class Bad extends Base {\n  readonly seen = [].concat();\n}\n`, "bad.ts:4:19: no-module-state: a deployed contract's fields"],
  ["a private field", `${HEAD}export default class Bad extends Contract {\n  #calls = 0n;\n}\n`, "bad.ts:3:3: no-private-field: private (#) and accessor fields stay writable on frozen objects"],
  ["a constructor", `${HEAD}export default class Bad extends Contract {\n  constructor() {\n    super();\n  }\n}\n`, "bad.ts:3:3: no-constructor: a contract's constructor runs once per executor thread"],
  ["module", `${HEAD}export default class Bad extends Contract {\n  f(): unknown {\n    return module;\n  }\n}\n`, "bad.ts:4:12: no-module-wrapper: module is the module wrapper's"],
  ["exports", `${HEAD}export default class Bad extends Contract {\n  f(): unknown {\n    return exports;\n  }\n}\n`, "bad.ts:4:12: no-module-wrapper: exports is the module wrapper's"],
  ["the wrapper's arguments", `${HEAD}const all = () => arguments;\nexport default class Bad extends Contract {}\n`, "bad.ts:2:19: no-module-wrapper: arguments outside a function is the module wrapper's"],
  ["an enum initializer that runs code", `${HEAD}enum E {\n  A = Math.max(1, 2),\n}\nexport default class Bad extends Contract {}\n`, "bad.ts:3:7: no-load-time-code: an enum member's initializer runs when the module loads"],
  ["a computed member name that runs code", `${HEAD}export default class Bad extends Contract {\n  [String(1)](): void {}\n}\n`, "bad.ts:3:3: no-load-time-code: a computed member name of a module-level class runs when the module loads"],
  ["an extends clause that runs code", `${HEAD}class Base extends [Contract][0]! {}\nexport default class Bad extends Base {}\n`, "bad.ts:2:20: no-load-time-code: a module-level class's extends clause runs when the module loads"],
  ["a decorator", `${HEAD}function d(_t: unknown, _c: unknown): void {}\nexport default class Bad extends Contract {\n  @d\n  f(): void {}\n}\n`, "bad.ts:4:3: no-decorator: decorators run when the class is defined"],
  ["syntax nested too deeply", `${HEAD}export default class Bad extends Contract {\n  f(): bigint {\n    return ${"(".repeat(250)}1n${")".repeat(250)};\n  }\n}\n`, "no-deep-nesting: syntax nested more than 200 levels deep"],
];

describe("module-state rules", () => {
  for (const [name, source, message] of MODULE_CASES) {
    it(`rejects ${name}`, async () => {
      expect((await loadError(source)).shortMessage).toContain(message);
    });
  }

  it("accepts enums of literals, computed names that are names, generator methods and decorator-free classes", async () => {
    const source = `${HEAD}enum Side {\n  Buy = 1,\n  Sell = Buy + 1,\n}\nclass Range {\n  *[Symbol.iterator](): Generator<bigint> {\n    yield 1n;\n  }\n}\nexport default class Ok extends Contract {\n  f(): bigint {\n    let n = BigInt(Side.Sell);\n    for (const x of new Range()) n += x;\n    return n;\n  }\n}\n`;
    await expect(compileContract(source, "ok.ts")).resolves.toBeDefined();
  });

  it("accepts literal constants, functions, classes, helper classes with constructors and storage fields", async () => {
    const source = `${HEAD}const FEES = [1n, 2n, 3n];\nconst LIMITS = { max: 10n, name: \`v\${1}\` };\nfunction twice(x: bigint): bigint {\n  return x * 2n;\n}\nclass Pair {\n  static readonly ZERO = 0n;\n  constructor(readonly a: bigint, readonly b: bigint) {}\n}\nexport default class Ok extends Contract {\n  readonly total = new StorageValue<bigint>("total", 0n);\n  readonly unit = 1n;\n  f(): bigint {\n    const p = new Pair(FEES[0]!, LIMITS.max);\n    let sum = 0n;\n    sum += twice(p.a) + Pair.ZERO;\n    return sum + this.total.get() + this.unit;\n  }\n}\n`;
    await expect(compileContract(source, "ok.ts")).resolves.toBeDefined();
  });
});

describe("lint rules", () => {
  for (const [name, body, message] of CASES) {
    it(`rejects ${name}`, async () => {
      const extra = name === "Number() in a map" ? `\n  readonly m = new StorageMap<string, bigint>("m", 0n);` : "";
      const error = await loadError(contract(body, extra).replace("\n  f(): void", extra === "" ? "\n  f(): void" : "\n  f(): void"));
      // With the extra field the body moves down one line.
      expect(error.shortMessage).toBe(extra === "" ? message : message.replace("bad.ts:5:", "bad.ts:6:"));
    });
  }

  it("rejects an async method at the modifier", async () => {
    const source = `${HEAD}export default class Bad extends Contract {\n  async f(): Promise<void> {}\n}\n`;
    expect((await loadError(source)).shortMessage).toBe("bad.ts:3:3: no-async: async functions: contracts are synchronous");
  });

  it("names further findings in the details", async () => {
    const error = await loadError(contract("    const a = Date.now();\n    const b = Math.random();"));
    expect(error.shortMessage).toBe("bad.ts:5:15: no-date: Date reads the wall clock; use this.ctx.block.timestamp (and 1 more finding)");
    expect(error.details).toContain("bad.ts:6:15: no-math-random");
  });

  it("accepts property names and types that merely look like forbidden globals", async () => {
    const source = `${HEAD}type Date = bigint;\nexport default class Ok extends Contract {\n  readonly process = new StorageValue<bigint>("process", 0n);\n  _f(x: { eval: bigint }): bigint {\n    return x.eval + this.process.get();\n  }\n}\n`;
    await expect(compileContract(source, "ok.ts")).resolves.toBeDefined();
  });

  it("accepts every shipped sample", async () => {
    const { readFileSync } = await import("node:fs");
    const { samplesDir } = await import("../../core/paths.js");
    for (const name of ["account", "token", "amm", "nft", "kv"]) {
      const file = `${samplesDir()}/${name}.ts`;
      await expect(compileContract(readFileSync(file, "utf8"), file)).resolves.toBeDefined();
    }
  });
});
