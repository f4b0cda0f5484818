/**
 * The context contracts run in: a `node:vm` context of its own, with no Node modules, no code
 * generation from strings, no clock or randomness, and frozen intrinsics, so one contract cannot
 * change the built-ins another one relies on. A contract module may import `prescient/contract`
 * and nothing else, and gets the SDK evaluated inside this context (contracts/sdk/realm.ts):
 * every object contract code can reach — SDK classes and functions, `this.ctx`, arguments, call
 * results, errors, the module wrapper's `require`/`module`/`exports` — belongs to this context,
 * so no `constructor` or prototype chain leads to the host's `Function`, `process` or prototypes.
 */
import vm from "node:vm";
import { ContractLoadError } from "../../core/errors.js";
import { hostBridge, sdkConfig } from "../sdk/bridge.js";
import { MAX_CONTRACT_FRAMES } from "../sdk/gas.js";
import { defineSdk, type SdkRealm } from "../sdk/realm.js";
import type { Contract } from "../sdk/index.js";
import { ENTER_HELPER, EXIT_HELPER, STEP_HELPER } from "../../analyzer/instrument.js";
import type { CompiledContract } from "./compile.js";

export { MAX_CONTRACT_FRAMES };

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
  readonly #realm: SdkRealm;

  constructor() {
    this.#context = vm.createContext(Object.create(null) as object, {
      name: "prescient-contracts",
      codeGeneration: { strings: false, wasm: false },
    });
    new vm.Script(HARDEN, { filename: "prescient:harden" }).runInContext(this.#context);
    // The SDK's own source, evaluated in the realm: contracts get realm classes and functions
    // whose closures hold the host bridge.
    const define = new vm.Script(`(${defineSdk.toString()})`, { filename: "prescient:sdk" }).runInContext(this.#context) as typeof defineSdk;
    this.#realm = define(hostBridge, sdkConfig(MAX_CONTRACT_FRAMES));
  }

  /** The realm's error classes, for the host to throw into contract code. */
  get errors(): SdkRealm["errors"] {
    return this.#realm.errors;
  }

  /** The receipt text of an SDK error thrown by contract or host code, by brand; undefined for other values. */
  describe(thrown: unknown): string | undefined {
    return this.#realm.describe(thrown);
  }

  /** Run `fn` on a contract instance, with `args` copied into the realm. */
  invoke(instance: object, fn: string, args: readonly unknown[]): unknown {
    return this.#realm.invoke(instance, fn, args);
  }

  /** Freeze a freshly deployed instance: contracts keep state in storage, not in fields. */
  harden<T>(value: T): T {
    return this.#realm.harden(value);
  }

  /** Evaluate a compiled module and return its contract class. */
  load(compiled: CompiledContract): ContractClass {
    const wrapped = `(function (exports, require, module, ${STEP_HELPER}, ${ENTER_HELPER}, ${EXIT_HELPER}) {${compiled.js}\n})`;
    let factory: (...a: unknown[]) => void;
    try {
      factory = new vm.Script(wrapped, { filename: compiled.file }).runInContext(this.#context) as typeof factory;
    } catch (error) {
      throw new ContractLoadError(`${compiled.file}: ${(error as Error).message}`);
    }
    const loaded = this.#realm.loadModule(factory);
    if (loaded.badImport !== undefined) {
      throw new ContractLoadError(`${compiled.file}: contracts may import only "prescient/contract", not ${JSON.stringify(loaded.badImport)}`);
    }
    if (loaded.threw) {
      throw new ContractLoadError(`${compiled.file}: the module threw while loading: ${readableMessage(loaded.error)}`);
    }
    const exported = loaded.exports[compiled.abi.className === "default" ? "default" : compiled.abi.className] ?? loaded.exports.default;
    if (!this.#realm.isContractClass(exported)) {
      throw new ContractLoadError(`${compiled.file}: the exported class ${compiled.abi.className} must extend Contract from "prescient/contract"`);
    }
    // The class and its prototype are shared by every address deployed from this module.
    return this.#realm.harden(exported) as ContractClass;
  }
}

function readableMessage(error: unknown): string {
  try {
    return String((error as Error)?.message ?? error);
  } catch {
    return "an unreadable value";
  }
}
