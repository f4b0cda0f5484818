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
import { Revert } from "../sdk/errors.js";
import { GAS } from "../sdk/gas.js";
import { currentHost } from "../sdk/host.js";
import { ENTER_HELPER, EXIT_HELPER, STEP_HELPER } from "../../analyzer/instrument.js";

/**
 * Contract function frames (all contracts, all call depths) alive at once. Deeper recursion
 * reverts, so it fails identically on every thread whatever its stack size.
 */
export const MAX_CONTRACT_FRAMES = 1024;

/**
 * The gas-metering helpers the instrumented code calls (analyzer/instrument.ts), created inside
 * the sandbox's realm: contract code sees three frozen sandbox functions whose closures hold the
 * host-side callbacks, and nothing else of the host.
 */
const METERING = `((charge, overflow, max) => {
  let depth = 0;
  const step = () => { charge(); };
  const enter = () => { charge(); if (depth >= max) overflow(); depth++; };
  const exit = () => { depth--; };
  return Object.freeze([Object.freeze(step), Object.freeze(enter), Object.freeze(exit)]);
})`;

function chargeStep(): void {
  currentHost()?.charge(GAS.step);
}

function frameOverflow(): never {
  throw new Revert(`call depth exceeds ${MAX_CONTRACT_FRAMES} contract frames`);
}
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
  readonly #metering: readonly [() => void, () => void, () => void];

  constructor() {
    this.#context = vm.createContext(Object.create(null) as object, {
      name: "prescient-contracts",
      codeGeneration: { strings: false, wasm: false },
    });
    new vm.Script(HARDEN, { filename: "prescient:harden" }).runInContext(this.#context);
    const makeMetering = new vm.Script(METERING, { filename: "prescient:metering" }).runInContext(this.#context) as (
      charge: () => void,
      overflow: () => never,
      max: number,
    ) => readonly [() => void, () => void, () => void];
    this.#metering = makeMetering(chargeStep, frameOverflow, MAX_CONTRACT_FRAMES);
  }

  /** Evaluate a compiled module and return its contract class. */
  load(compiled: CompiledContract): ContractClass {
    const wrapped = `(function (exports, require, module, ${STEP_HELPER}, ${ENTER_HELPER}, ${EXIT_HELPER}) {${compiled.js}\n})`;
    let factory: (exports: object, require: (id: string) => unknown, module: { exports: object }, step: () => void, enter: () => void, exit: () => void) => void;
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
      factory(module.exports, requireShim, module, ...this.#metering);
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
