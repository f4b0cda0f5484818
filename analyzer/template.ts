/**
 * Access templates: what a contract function may read, write and call, as symbolic expressions
 * over its call (sender, self, origin, block), its arguments, constants and immutable storage.
 * Templates are plain JSON (bigints as decimal strings), so they can be cached on disk.
 */
import type { AccessClass } from "../core/accessSet.js";

/** Bump when the templates derived from the same source change. */
export const ANALYZER_VERSION = "2";

export type CtxField = "sender" | "self" | "origin" | "sequencer" | "number" | "timestamp";

/** A symbolic value. */
export type Sym =
  /** A string or boolean constant. */
  | { readonly k: "lit"; readonly v: string | boolean }
  /** A bigint constant (decimal). */
  | { readonly k: "big"; readonly v: string }
  /** A field of the call context or the block. */
  | { readonly k: "ctx"; readonly f: CtxField }
  /** The function's `i`-th argument. */
  | { readonly k: "arg"; readonly i: number }
  /** Any element of the function's `i`-th argument (an array): loop variables, `a[i]`. */
  | { readonly k: "each"; readonly i: number }
  /** The value of immutable storage of `self`, read from the pre-block state. */
  | { readonly k: "imm"; readonly v: string; readonly keys: readonly Sym[]; readonly def: Sym }
  /** String concatenation (template literals). */
  | { readonly k: "cat"; readonly parts: readonly Sym[] }
  | { readonly k: "eq"; readonly a: Sym; readonly b: Sym }
  | { readonly k: "not"; readonly a: Sym }
  /** JavaScript `&&` / `||`: the operand that decides, by truthiness. */
  | { readonly k: "and"; readonly a: Sym; readonly b: Sym }
  | { readonly k: "or"; readonly a: Sym; readonly b: Sym }
  /** `c ? t : e`. */
  | { readonly k: "ite"; readonly c: Sym; readonly t: Sym; readonly e: Sym }
  /** Not known before the block runs; `mutable` when it depends on mutable storage. */
  | { readonly k: "top"; readonly mutable: boolean; readonly why: string };

export interface AccessTemplate {
  readonly rw: "r" | "w";
  /** The storage variable's name (its location is `<self>/<var>[/<key>…]`). */
  readonly v: string;
  readonly keys: readonly Sym[];
  /** Conditions that all hold when the access can happen (an `if`'s condition, or its negation). */
  readonly guard: readonly Sym[];
}

export interface CallTemplate {
  readonly target: Sym;
  readonly fn: string;
  readonly args: readonly Sym[];
  readonly guard: readonly Sym[];
}

/**
 * A call of the SDK's `work(units, seed)`: deterministic CPU work charged one gas per unit. Only
 * the gas estimate uses it (the call touches no storage): a replay of a mainnet transaction spends
 * most of its time there, and an estimate without it made a block's projected speedup a
 * projection of its storage accesses alone.
 */
export interface WorkTemplate {
  readonly units: Sym;
  readonly guard: readonly Sym[];
}

export interface FunctionTemplate {
  readonly name: string;
  /** Callable by transactions and other contracts (name not starting with `_`, not private). */
  readonly public: boolean;
  readonly params: readonly string[];
  readonly accesses: readonly AccessTemplate[];
  readonly calls: readonly CallTemplate[];
  /** Calls of the SDK's `work` (gas estimate only; absent in templates with none). */
  readonly work?: readonly WorkTemplate[];
  /**
   * The class of the function's own accesses: `exact` when every key and call target is known
   * once the args, the call context and immutable storage are (conditions included),
   * `over-approximate` with wildcards or undecidable conditions choosing a key or target,
   * `unknown` when a key or target depends on mutable storage or cannot be followed. The class
   * of a transaction also depends on the functions it calls, resolved at instantiation.
   */
  readonly class: AccessClass;
  /** Why the class is not `exact`. */
  readonly reasons: readonly string[];
}

export interface StorageField {
  /** The class property. */
  readonly field: string;
  /** The storage variable name (the location segment). */
  readonly name: string;
  readonly kind: "value" | "map";
  /** Never `.set` by any function of the contract: written only at deployment. */
  readonly immutable: boolean;
}

export interface ContractTemplates {
  readonly analyzerVersion: string;
  readonly sourceHash: string;
  readonly file: string;
  readonly className: string;
  readonly fields: readonly StorageField[];
  readonly functions: Readonly<Record<string, FunctionTemplate>>;
  /** A contract-wide failure (no contract class, unsupported inheritance): every function is unknown. */
  readonly error?: string;
}

export const CLASS_RANK: Readonly<Record<AccessClass, number>> = { exact: 0, "over-approximate": 1, unknown: 2 };
export const CLASSES: readonly AccessClass[] = ["exact", "over-approximate", "unknown"];

/** A readable rendering of a symbolic value: `{to}`, `{sender}`, `{token0@pre}`, `{reads[*]}`. */
export function formatSym(s: Sym, params: readonly string[]): string {
  switch (s.k) {
    case "lit":
      return typeof s.v === "string" ? JSON.stringify(s.v) : String(s.v);
    case "big":
      return `${s.v}n`;
    case "ctx":
      return s.f === "sequencer" || s.f === "number" || s.f === "timestamp" ? `{block.${s.f}}` : `{${s.f}}`;
    case "arg":
      return `{${params[s.i] ?? `arg${s.i}`}}`;
    case "each":
      return `{${params[s.i] ?? `arg${s.i}`}[*]}`;
    case "imm":
      return `{${[s.v, ...s.keys.map((k) => formatSym(k, params))].join("/")}@pre}`;
    case "cat":
      return `\`${s.parts.map((p) => (p.k === "lit" && typeof p.v === "string" ? p.v : `\${${formatSym(p, params)}}`)).join("")}\``;
    case "eq":
      return `${formatSym(s.a, params)} === ${formatSym(s.b, params)}`;
    case "not":
      return `!(${formatSym(s.a, params)})`;
    case "and":
      return `(${formatSym(s.a, params)} && ${formatSym(s.b, params)})`;
    case "or":
      return `(${formatSym(s.a, params)} || ${formatSym(s.b, params)})`;
    case "ite":
      return `(${formatSym(s.c, params)} ? ${formatSym(s.t, params)} : ${formatSym(s.e, params)})`;
    case "top":
      return s.mutable ? "{?mutable}" : "*";
  }
}

export function formatAccess(a: AccessTemplate, params: readonly string[]): string {
  const loc = ["{self}", a.v, ...a.keys.map((k) => (k.k === "top" ? "*" : formatSym(k, params)))].join("/");
  return a.guard.length === 0 ? loc : `${loc} if ${a.guard.map((g) => formatSym(g, params)).join(" && ")}`;
}

export function formatCall(c: CallTemplate, params: readonly string[]): string {
  const call = `${formatSym(c.target, params)}.${c.fn}(${c.args.map((a) => formatSym(a, params)).join(", ")})`;
  return c.guard.length === 0 ? call : `${call} if ${c.guard.map((g) => formatSym(g, params)).join(" && ")}`;
}

/** Any unknown part of `s`, conditions included; `mutable` when that part is mutable storage. */
export function anyTop(s: Sym): { readonly mutable: boolean; readonly why: string } | undefined {
  switch (s.k) {
    case "top":
      return s;
    case "lit":
    case "big":
    case "ctx":
    case "arg":
    case "each":
      return undefined;
    case "imm":
      return s.keys.reduce<ReturnType<typeof anyTop>>((acc, k) => worseTop(acc, anyTop(k)), undefined);
    case "cat":
      return s.parts.reduce<ReturnType<typeof anyTop>>((acc, p) => worseTop(acc, anyTop(p)), undefined);
    case "not":
      return anyTop(s.a);
    case "eq":
    case "and":
    case "or":
      return worseTop(anyTop(s.a), anyTop(s.b));
    case "ite":
      return worseTop(worseTop(anyTop(s.c), anyTop(s.t)), anyTop(s.e));
  }
}

/**
 * Whether the *value* of `s` can be unknown (a key or call target built from it cannot be
 * listed): an undecidable condition only makes it one of several known values, which is not this.
 */
export function valueTop(s: Sym): { readonly mutable: boolean; readonly why: string } | undefined {
  switch (s.k) {
    case "top":
      return s;
    case "imm":
      return s.keys.reduce<ReturnType<typeof anyTop>>((acc, k) => worseTop(acc, valueTop(k)), undefined);
    case "cat":
      return s.parts.reduce<ReturnType<typeof anyTop>>((acc, p) => worseTop(acc, valueTop(p)), undefined);
    case "and":
    case "or":
      return worseTop(valueTop(s.a), valueTop(s.b));
    case "ite":
      return worseTop(valueTop(s.t), valueTop(s.e));
    default:
      return undefined;
  }
}

function worseTop(
  a: { readonly mutable: boolean; readonly why: string } | undefined,
  b: { readonly mutable: boolean; readonly why: string } | undefined,
): { mutable: boolean; why: string } | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.mutable && !a.mutable ? b : a;
}

/** Whether a key or target built from `s` needs a condition decided only at run time. */
export function undecidableChoice(s: Sym): string | undefined {
  switch (s.k) {
    case "ite": {
      const t = anyTop(s.c);
      if (t !== undefined) return `a condition decided at run time (${t.why}) chooses between values`;
      return undecidableChoice(s.t) ?? undecidableChoice(s.e);
    }
    case "imm":
      for (const k of s.keys) {
        const r = undecidableChoice(k);
        if (r !== undefined) return r;
      }
      return undefined;
    case "cat":
      for (const p of s.parts) {
        const r = undecidableChoice(p);
        if (r !== undefined) return r;
      }
      return undefined;
    case "and":
    case "or": {
      const t = anyTop(s.a);
      if (t !== undefined) return `an operand decided at run time (${t.why}) chooses between values`;
      return undecidableChoice(s.a) ?? undecidableChoice(s.b);
    }
    default:
      return undefined;
  }
}
