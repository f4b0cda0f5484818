/**
 * The context contracts run in: a `node:vm` context of its own, with no Node modules, no code
 * generation from strings, no clock or randomness, and frozen intrinsics, so one contract cannot
 * change the built-ins another one relies on. A contract module may import `prescient/contract`
 * and nothing else.
 */
import vm from "node:vm";
import { ContractLoadError } from "../../core/errors.js";
import * as sdk from "../sdk/index.js";
import { Contract } from "../sdk/contract.js";
import type { CompiledContract } from "./compile.js";

/** The class a contract module exports, as the runtime sees it. */
export type ContractClass = new () => Contract;

const HARDEN = `
(() => {
  delete globalThis.Date;
  delete globalThis.SharedArrayBuffer;
  delete globalThis.Atomics;
  delete globalThis.WeakRef;
  delete globalThis.FinalizationRegistry;
  Object.defineProperty(Math, "random", { value: () => { throw new Error("Math.random is not deterministic"); } });
  const seen = new Set();
  const freeze = (value) => {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || value === globalThis || seen.has(value)) return;
    seen.add(value);
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (d && "value" in d) freeze(d.value);
    }
    freeze(Object.getPrototypeOf(value));
  };
  for (const key of Reflect.ownKeys(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    if (d && "value" in d) freeze(d.value);
  }
})();
`;

export class Sandbox {
  readonly #context: vm.Context;

  constructor() {
    this.#context = vm.createContext(Object.create(null) as object, {
      name: "prescient-contracts",
      codeGeneration: { strings: false, wasm: false },
    });
    new vm.Script(HARDEN, { filename: "prescient:harden" }).runInContext(this.#context);
  }

  /** Evaluate a compiled module and return its contract class. */
  load(compiled: CompiledContract): ContractClass {
    const wrapped = `(function (exports, require, module) {${compiled.js}\n})`;
    let factory: (exports: object, require: (id: string) => unknown, module: { exports: object }) => void;
    try {
      factory = new vm.Script(wrapped, { filename: compiled.file }).runInContext(this.#context) as typeof factory;
    } catch (error) {
      throw new ContractLoadError(`${compiled.file}: ${(error as Error).message}`);
    }
    const module = { exports: {} as Record<string, unknown> };
    const requireShim = (id: string): unknown => {
      if (id === "prescient/contract") return sdk;
      throw new ContractLoadError(`${compiled.file}: contracts may import only "prescient/contract", not ${JSON.stringify(id)}`);
    };
    try {
      factory(module.exports, requireShim, module);
    } catch (error) {
      if (error instanceof ContractLoadError) throw error;
      throw new ContractLoadError(`${compiled.file}: the module threw while loading: ${String((error as Error)?.message ?? error)}`);
    }
    const exported = module.exports[compiled.abi.className === "default" ? "default" : compiled.abi.className] ?? module.exports.default;
    if (typeof exported !== "function" || !((exported as { prototype?: unknown }).prototype instanceof Contract)) {
      throw new ContractLoadError(`${compiled.file}: the exported class ${compiled.abi.className} must extend Contract from "prescient/contract"`);
    }
    return exported as ContractClass;
  }
}
