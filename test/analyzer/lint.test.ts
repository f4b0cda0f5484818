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
];

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
