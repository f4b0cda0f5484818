/**
 * The context contracts run in: a `node:vm` context of its own, with no Node modules, no code
 * generation from strings, no clock or randomness, and frozen intrinsics, so one contract cannot
 * change the built-ins another one relies on. A contract module may import `prescient/contract`
 * and nothing else, and gets the SDK evaluated inside this context (contracts/sdk/realm.ts):
 * every object contract code can reach — SDK classes and functions, `this.ctx`, arguments, call
 * results, errors, the module wrapper's `require`/`module`/`exports` — belongs to this context,
 * so no `constructor` or prototype chain leads to the host's `Function`, `process` or prototypes.
 * The context's intrinsics are guarded (intrinsics.ts): what could make a result depend on the
 * thread, or exhaust the host, is removed, metered or bounded before everything is frozen.
 */
import vm from "node:vm";
import { ContractLoadError } from "../../core/errors.js";
import { hostBridge, sdkConfig } from "../sdk/bridge.js";
import { LIMITS, MAX_CONTRACT_FRAMES, SIZE_GAS } from "../sdk/gas.js";
import { installHost, withDeployment } from "../sdk/host.js";
import type { Address } from "../../core/types.js";
import { defineSdk, type SdkRealm } from "../sdk/realm.js";
import type { Contract } from "../sdk/index.js";
import { MODULE_HELPERS } from "../../analyzer/instrument.js";
import type { CompiledContract } from "./compile.js";
import { guardIntrinsics, type IntrinsicLimits } from "./intrinsics.js";
import { LoadLimitError, LoadMeter } from "./loadMeter.js";

export { MAX_CONTRACT_FRAMES };

/** The class a contract module exports, as the runtime sees it. */
export type ContractClass = new () => Contract;

const INTRINSIC_LIMITS: IntrinsicLimits = {
  arguments: LIMITS.arguments,
  nesting: LIMITS.nesting,
  elements: LIMITS.elements,
  stringLength: LIMITS.stringLength,
  properties: LIMITS.properties,
  bigintBits: LIMITS.bigintBits,
  free: SIZE_GAS.free,
  elementsPerGas: SIZE_GAS.elements,
  charsPerGas: SIZE_GAS.chars,
  propertiesPerGas: SIZE_GAS.properties,
  prototypeChain: LIMITS.prototypeChain,
};

export class Sandbox {
  readonly #context: vm.Context;
  readonly #realm: SdkRealm;
  readonly #operators: readonly unknown[];

  constructor() {
    this.#context = vm.createContext(Object.create(null) as object, {
      name: "prescient-contracts",
      codeGeneration: { strings: false, wasm: false },
    });
    // The SDK's own source, evaluated in the realm: contracts get realm classes and functions
    // whose closures hold the host bridge. It is defined first, holding the intrinsics it uses.
    const define = new vm.Script(`(${defineSdk.toString()})`, { filename: "prescient:sdk" }).runInContext(this.#context) as typeof defineSdk;
    this.#realm = define(hostBridge, sdkConfig(MAX_CONTRACT_FRAMES));
    // Then the intrinsics are guarded and frozen, with the SDK's meter for gas and stack slots.
    const guard = new vm.Script(`(${guardIntrinsics.toString()})`, { filename: "prescient:intrinsics" }).runInContext(this.#context) as typeof guardIntrinsics;
    this.#operators = guard(this.#realm.meter, JSON.stringify(INTRINSIC_LIMITS));
  }

  /** The realm's error classes, for the host to throw into contract code. */
  get errors(): SdkRealm["errors"] {
    return this.#realm.errors;
  }

  /** The receipt text of an SDK error thrown by contract or host code, by brand; undefined for other values. */
  describe(thrown: unknown): string | undefined {
    return this.#realm.describe(thrown);
  }

  /** Run `fn` on a contract instance, with `args` copied into the realm; `outermost` for a transaction's own call. */
  invoke(instance: object, fn: string, args: readonly unknown[], outermost: boolean): unknown {
    return this.#realm.invoke(instance, fn, args, outermost);
  }

  /** Freeze a freshly deployed instance: contracts keep state in storage, not in fields. */
  harden<T>(value: T): T {
    return this.#realm.harden(value);
  }

  /** Run `body` (contract code outside a transaction) under a load meter; `what` names the phase. */
  #metered<T>(what: string, body: () => T): { readonly result: T; readonly failure: string | undefined } {
    const meter = new LoadMeter(LIMITS.loadGas, this.#realm.errors, what);
    const previous = installHost(meter);
    try {
      this.#realm.reset();
      return { result: body(), failure: meter.failure };
    } catch (error) {
      if (meter.failure !== undefined) return { result: undefined as T, failure: meter.failure };
      throw error;
    } finally {
      installHost(previous);
    }
  }

  /** Evaluate a compiled module and return its contract class. */
  load(compiled: CompiledContract): ContractClass {
    const wrapped = `(function (exports, require, module, ${MODULE_HELPERS.join(", ")}) {${compiled.js}\n})`;
    let factory: (...a: unknown[]) => void;
    try {
      factory = new vm.Script(wrapped, { filename: compiled.file }).runInContext(this.#context) as typeof factory;
    } catch (error) {
      throw new ContractLoadError(`${compiled.file}: ${(error as Error).message}`);
    }
    // The module's top level runs metered: whatever runs at load time is bounded like a transaction.
    const { result: loaded, failure } = this.#metered("while the module loads", () => this.#realm.loadModule(factory, this.#operators));
    if (failure !== undefined) throw new LoadLimitError(`${compiled.file}: ${failure}`);
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

  /**
   * Deploy `cls` at `address`: construct it (its storage fields read the address), metered like a
   * module's load, and freeze the instance. Throws what the constructor threw, or a LoadLimitError.
   */
  deploy(cls: ContractClass, address: Address): Contract {
    const { result, failure } = this.#metered("while the contract is deployed", () => withDeployment(address, () => new cls()));
    if (failure !== undefined) throw new LoadLimitError(failure);
    return this.#realm.harden(result);
  }
}

function readableMessage(error: unknown): string {
  try {
    return String((error as Error)?.message ?? error);
  } catch {
    return "an unreadable value";
  }
}
