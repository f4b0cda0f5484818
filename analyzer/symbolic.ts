/**
 * Symbolic values of access templates, evaluated per transaction: each `Sym` is compiled once
 * into a closure over a call's environment (its self, sender, origin, converted arguments, the
 * block and the pre-block state). A value is concrete, one of several values (`Multi`), or not
 * known before the block runs (`Top`).
 */
import type { Value } from "../core/types.js";
import type { BlockInfo } from "../contracts/sdk/host.js";
import type { StateStore as State } from "../state/state.js";
import type { Sym } from "./template.js";

/** A concrete value, as contract code would see it. */
export type Val = bigint | string | boolean | undefined | readonly Val[];

/** One of several values (a loop variable, both sides of an undecidable choice). */
export class Multi {
  constructor(readonly values: readonly Val[]) {}
}

/** A value not known before the block runs. */
export class Top {
  constructor(
    readonly mutable: boolean,
    readonly why: string,
  ) {}
}

export type CV = Val | Multi | Top;

/** What one transaction's evaluation shares: the block, the pre-state, and what it found out. */
export interface SymContext {
  readonly block: BlockInfo;
  readonly state: State;
  /** 0 exact, 1 over-approximate, 2 unknown (the worst seen). */
  level: number;
  reasons: string[] | undefined;
}

/** One call's environment. */
export interface SymEnv {
  readonly self: string;
  readonly sender: string;
  readonly origin: string;
  readonly args: readonly CV[];
  readonly x: SymContext;
  /** A number no other call's environment has had: what shared sub-expressions remember (see SharedSyms). */
  readonly call: number;
}

export type SymFn = (env: SymEnv) => CV;

let lastCall = 0;

/** The `call` number of a new call's environment. */
export function nextCall(): number {
  return ++lastCall;
}

/**
 * The sub-expressions one function's templates use more than once (a pool's `tokenIn === token0`
 * guards eight accesses and chooses a call target): each is compiled once, and evaluated once per
 * call (its closure remembers the value of the call it last ran for). Only expressions without
 * side effects are shared: a conditional (`ite`) on a value unknown before the block notes a
 * reason each time it is evaluated.
 */
export class SharedSyms {
  readonly #uses = new Map<string, number>();
  readonly #compiled = new Map<string, SymFn>();

  /** Count `s` and its sub-expressions (every expression, before compiling any). */
  count(s: Sym): void {
    if (!shareable(s)) return;
    const key = JSON.stringify(s);
    this.#uses.set(key, (this.#uses.get(key) ?? 0) + 1);
    for (const child of children(s)) this.count(child);
  }

  /** The shared closure of `s`, or undefined when `s` is used once or cannot be shared. */
  compiled(s: Sym): SymFn | undefined {
    if (!shareable(s)) return undefined;
    const key = JSON.stringify(s);
    if ((this.#uses.get(key) ?? 0) < 2) return undefined;
    let fn = this.#compiled.get(key);
    if (fn === undefined) {
      const compute = compileExpression(s, this);
      let seen = 0;
      let value: CV;
      fn = (env) => {
        if (env.call === seen) return value;
        value = compute(env);
        seen = env.call;
        return value;
      };
      this.#compiled.set(key, fn);
    }
    return fn;
  }
}

/** Whether `s` is worth sharing (not a constant or a field read) and has no side effect. */
function shareable(s: Sym): boolean {
  switch (s.k) {
    case "lit":
    case "big":
    case "ctx":
    case "arg":
    case "top":
    case "ite":
      return false;
    default:
      return children(s).every(pure);
  }
}

function pure(s: Sym): boolean {
  return s.k !== "ite" && children(s).every(pure);
}

/** The sub-expressions of `s`. */
export function children(s: Sym): readonly Sym[] {
  switch (s.k) {
    case "imm":
      return [...s.keys, s.def];
    case "cat":
      return s.parts;
    case "eq":
    case "and":
    case "or":
      return [s.a, s.b];
    case "not":
      return [s.a];
    case "ite":
      return [s.c, s.t, s.e];
    default:
      return [];
  }
}

/** Interned location strings per immutable-storage template before the table is dropped. */
const MAX_MEMO = 1 << 20;

export function note(x: SymContext, level: 1 | 2, reason: string): void {
  if (level > x.level) x.level = level;
  (x.reasons ??= []).push(reason);
}

export function truthy(v: Val): boolean {
  return !(v === false || v === 0n || v === "" || v === undefined);
}

export function values(v: Val | Multi): readonly Val[] {
  return v instanceof Multi ? v.values : [v];
}

function multi(vs: Val[]): Val | Multi {
  if (vs.length === 1) return vs[0];
  return new Multi(vs);
}

function topOf(a: CV, b: CV): Top | undefined {
  if (a instanceof Top) return b instanceof Top && b.mutable && !a.mutable ? b : a;
  return b instanceof Top ? b : undefined;
}

/** A value as a location segment, as the SDK encodes map keys; undefined where encoding throws. */
export function keyString(v: Val): string | undefined {
  switch (typeof v) {
    case "bigint":
      return v < 0n ? undefined : v.toString();
    case "string":
      return v.length === 0 || v.includes("/") ? undefined : v;
    case "boolean":
      return v ? "true" : "false";
    default:
      return undefined;
  }
}

/**
 * `v` as a key segment, or undefined when it is not one (empty, or with a "/": encodeKey throws
 * before the access, the call reverts). A transaction uses the same key string again and again,
 * so the last string found valid is remembered and not scanned again.
 */
export function stringSegment(x: { checkedKey: string | undefined }, v: string): string | undefined {
  if (v === x.checkedKey) return v;
  if (v.length === 0 || v.includes("/")) return undefined;
  x.checkedKey = v;
  return v;
}

function catString(v: Val): string {
  return Array.isArray(v) ? v.map((x) => catString(x as Val)).join(",") : String(v);
}

function storageValue(v: Value | undefined): Val {
  return v;
}

/** Compile `s`; the sub-expressions `shared` counted more than once are evaluated once per call. */
export function compileSym(s: Sym, shared?: SharedSyms): SymFn {
  return shared?.compiled(s) ?? compileExpression(s, shared);
}

function compileExpression(s: Sym, shared: SharedSyms | undefined): SymFn {
  const sub = (child: Sym): SymFn => compileSym(child, shared);
  switch (s.k) {
    case "lit": {
      const v = s.v;
      return () => v;
    }
    case "big": {
      const v = BigInt(s.v);
      return () => v;
    }
    case "ctx":
      switch (s.f) {
        case "sender":
          return (env) => env.sender;
        case "self":
          return (env) => env.self;
        case "origin":
          return (env) => env.origin;
        case "sequencer":
          return (env) => env.x.block.sequencer;
        case "number":
          return (env) => env.x.block.number;
        case "timestamp":
          return (env) => env.x.block.timestamp;
      }
      break;
    case "arg": {
      const i = s.i;
      return (env) => env.args[i];
    }
    case "each": {
      const i = s.i;
      return (env) => {
        const a = env.args[i];
        if (a instanceof Top) return a;
        if (a instanceof Multi) return new Multi(a.values.flatMap((v) => (Array.isArray(v) ? (v as readonly Val[]) : [undefined])));
        return Array.isArray(a) ? new Multi(a as readonly Val[]) : undefined;
      };
    }
    case "imm": {
      const name = s.v;
      const keys = s.keys.map(sub);
      const def = sub(s.def);
      // Immutable storage never changes within a block: values are cached per pre-state.
      let cachedState: State | undefined;
      let cache = new Map<string, Map<unknown, CV>>();
      const compute = (env: SymEnv): CV => {
        const d = def(env);
        let locs: string[] = [`${env.self}/${name}`];
        for (const k of keys) {
          const kv = k(env);
          if (kv instanceof Top) return kv;
          const next: string[] = [];
          for (const v of values(kv)) {
            const ks = keyString(v);
            if (ks !== undefined) for (const l of locs) next.push(`${l}/${ks}`);
          }
          locs = next;
        }
        if (d instanceof Top || d instanceof Multi) return new Top(false, "a storage default");
        return multi(locs.map((l) => storageValue(env.x.state.get(l)) ?? d));
      };
      if (keys.length > 1) return compute;
      const key = keys[0];
      return (env) => {
        if (env.x.state !== cachedState) {
          cachedState = env.x.state;
          cache = new Map();
        }
        let bySelf = cache.get(env.self);
        if (bySelf === undefined) cache.set(env.self, (bySelf = new Map()));
        const k = key === undefined ? undefined : key(env);
        if (k instanceof Multi || k instanceof Top) return compute(env);
        let v = bySelf.get(k);
        if (v === undefined && !bySelf.has(k)) {
          v = compute(env);
          if (bySelf.size < MAX_MEMO) bySelf.set(k, v);
        }
        return v;
      };
    }
    case "cat": {
      const parts = s.parts.map(sub);
      return (env) => {
        let acc: string[] = [""];
        for (const p of parts) {
          const v = p(env);
          if (v instanceof Top) return v;
          const vs = values(v);
          if (vs.length === 1) {
            const str = catString(vs[0]);
            for (let i = 0; i < acc.length; i++) acc[i] += str;
          } else acc = acc.flatMap((a) => vs.map((x) => a + catString(x)));
        }
        return multi(acc);
      };
    }
    case "eq": {
      const a = sub(s.a);
      const b = sub(s.b);
      return (env) => {
        const av = a(env);
        const bv = b(env);
        const t = topOf(av, bv);
        if (t !== undefined) return t;
        if (!(av instanceof Multi) && !(bv instanceof Multi)) return av === bv;
        let sawTrue = false;
        let sawFalse = false;
        for (const x of values(av as Val | Multi)) for (const y of values(bv as Val | Multi)) (x === y ? (sawTrue = true) : (sawFalse = true));
        return sawTrue && sawFalse ? new Multi([true, false]) : sawTrue ? true : sawFalse ? false : new Multi([]);
      };
    }
    case "not": {
      const a = sub(s.a);
      return (env) => {
        const v = a(env);
        if (v instanceof Top) return v;
        if (v instanceof Multi) return new Multi(v.values.map((x) => !truthy(x)));
        return !truthy(v);
      };
    }
    case "and":
    case "or": {
      const a = sub(s.a);
      const b = sub(s.b);
      const isAnd = s.k === "and";
      return (env) => {
        const av = a(env);
        if (av instanceof Top) {
          b(env);
          return av; // the value may be the unknown operand
        }
        const out: Val[] = [];
        let bv: CV | undefined;
        for (const x of values(av)) {
          const takeA = isAnd ? !truthy(x) : truthy(x);
          if (takeA) out.push(x);
          else {
            bv ??= b(env);
            if (bv instanceof Top) return bv;
            out.push(...values(bv));
          }
        }
        return multi(out);
      };
    }
    case "ite": {
      const c = sub(s.c);
      const t = sub(s.t);
      const e = sub(s.e);
      return (env) => {
        const cv = c(env);
        if (cv instanceof Top) {
          note(env.x, 1, `a condition decided at run time (${cv.why}) chooses between values`);
          const tv = t(env);
          const ev = e(env);
          const top = topOf(tv, ev);
          if (top !== undefined) return top;
          return multi([...values(tv as Val | Multi), ...values(ev as Val | Multi)]);
        }
        if (!(cv instanceof Multi)) return truthy(cv) ? t(env) : e(env);
        const hasTrue = cv.values.some(truthy);
        const hasFalse = cv.values.some((v) => !truthy(v));
        if (hasTrue && !hasFalse) return t(env);
        if (hasFalse && !hasTrue) return e(env);
        if (!hasTrue && !hasFalse) return new Multi([]);
        const tv = t(env);
        const ev = e(env);
        const top = topOf(tv, ev);
        if (top !== undefined) return top;
        return multi([...values(tv as Val | Multi), ...values(ev as Val | Multi)]);
      };
    }
    case "top": {
      const v = new Top(s.mutable, s.why);
      return () => v;
    }
  }
}

/** Whether every guard may hold (undefined when there are none). */
export function compileGuards(guards: readonly Sym[], shared?: SharedSyms): ((env: SymEnv) => boolean) | undefined {
  // An unknown guard never rules an access out (see below), and evaluating it notes nothing.
  const known = guards.filter((g) => g.k !== "top");
  if (known.length === 0) return undefined;
  const fns = known.map((g) => compileSym(g, shared));
  return (env) => {
    for (const g of fns) {
      const v = g(env);
      if (v instanceof Top) continue;
      if (v instanceof Multi) {
        if (!v.values.some(truthy)) return false;
      } else if (!truthy(v)) return false;
    }
    return true;
  };
}
