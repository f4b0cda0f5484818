/**
 * Code that runs at load time: a module's top level and a contract's deployment are metered and
 * bounded like a transaction (an endless loop there once hung `run` and `serve` at startup), and
 * the lint refuses every form that runs code at load (enum initializers, computed member names,
 * `extends (expr)`, decorators). A source nested too deeply for the compiler's recursive walks is
 * refused with one line, never a stack overflow. Loads run in a child process with a time limit,
 * so that a load that hangs fails the test instead of hanging it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "./helpers.js";

const LOAD = join(import.meta.dirname, "fixtures", "sandbox", "load");
const DIST = join(import.meta.dirname, "..", "dist");

/** Load each file as the only contract of a genesis, in a fresh process: what each load threw. */
function loadAll(files: readonly string[]): { file: string; name: string; message: string }[] {
  const script = `
    const { ContractRuntime } = await import(${JSON.stringify(join(DIST, "contracts", "runtime", "runtime.js"))});
    const { withAccountContract } = await import(${JSON.stringify(join(DIST, "state", "genesis.js"))});
    for (const file of JSON.parse(process.argv[1])) {
      const genesis = withAccountContract({ contracts: [{ address: "0x00000000000000000000000000000000005a0d99", contract: file, storage: {} }], accounts: [] });
      try {
        await ContractRuntime.create({ genesis, baseDir: "/" });
        process.stdout.write(JSON.stringify({ file, name: "loaded", message: "" }) + "\\n");
      } catch (error) {
        process.stdout.write(JSON.stringify({ file, name: error.name, message: error.shortMessage ?? error.message }) + "\\n");
      }
    }
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(files)], { encoding: "utf8", timeout: 45_000 });
  expect(child.signal, `a load hung: ${child.stdout}`).toBeNull();
  expect(child.stderr).toBe("");
  return child.stdout.trim().split("\n").map((line) => JSON.parse(line) as { file: string; name: string; message: string });
}

describe("load-time code", () => {
  it("is metered: an endless getter read at load or at deployment stops at the load gas limit", () => {
    const [getter, deploy] = loadAll([join(LOAD, "GetterLoop.ts"), join(LOAD, "DeployLoop.ts")]);
    expect(getter).toMatchObject({ name: "LoadLimitError", message: `${join(LOAD, "GetterLoop.ts")}: code run while the module loads exceeds 1000000 gas` });
    expect(deploy).toMatchObject({ name: "ContractLoadError", message: expect.stringMatching(/DeployLoop\.ts: constructing DeployLoop failed: code run while the contract is deployed exceeds 1000000 gas/) });
  });

  it("is refused by the lint in every form that runs it: enums, computed names, extends, decorators", () => {
    const results = loadAll(["Enum.ts", "ComputedName.ts", "Heritage.ts", "Decorator.ts"].map((f) => join(LOAD, f)));
    expect(results.map((r) => [r.name, r.message.replace(`${LOAD}/`, "")])).toEqual([
      ["ContractLoadError", "Enum.ts:5:13: no-load-time-code: an enum member's initializer runs when the module loads; use a literal, or compute the value inside a function"],
      ["ContractLoadError", "ComputedName.ts:5:3: no-load-time-code: a computed member name of a module-level class runs when the module loads; use a literal, a name or a member of one (Symbol.iterator)"],
      ["ContractLoadError", "Heritage.ts:4:20: no-load-time-code: a module-level class's extends clause runs when the module loads; extend a name (Contract, a class of this module)"],
      ["ContractLoadError", expect.stringMatching(/^Decorator\.ts:11:3: no-decorator: decorators run when the class is defined/)],
    ]);
  });
});

describe("deeply nested sources", () => {
  const dir = mkdtempSync(join(tmpdir(), "prescient-deep-"));
  const nested = (depth: number) => `import { Contract, StorageValue } from "prescient/contract";
export default class Deep extends Contract {
  readonly v = new StorageValue<bigint>("v", 0n);
  f(): void {
    this.v.set(${"(".repeat(depth)}1n${")".repeat(depth)});
  }
}
`;

  it("are refused with one line by analyze --contracts (whose parser overflowed) and at load (by the lint)", () => {
    try {
      writeFileSync(join(dir, "Deep.ts"), nested(5000));
      const analyzed = spawnSync(process.execPath, [CLI, "analyze", "--contracts", dir], { encoding: "utf8" });
      expect(analyzed.status, analyzed.stderr).toBe(2);
      expect(analyzed.stderr).toBe(`error: ${join(dir, "Deep.ts")}: no-deep-nesting: syntax nested more than 200 levels deep; split the expression or the function\n`);
      writeFileSync(join(dir, "Deep.ts"), nested(300));
      const [loaded] = loadAll([join(dir, "Deep.ts")]);
      expect(loaded!.message).toMatch(/Deep\.ts:5:\d+: no-deep-nesting: syntax nested more than 200 levels deep; split the expression or the function$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
