/**
 * Instantiation: access templates + a transaction (its sender, converted arguments) + the
 * block + the pre-block state (for immutable storage) → the transaction's access set and class.
 *
 * Templates are compiled once into closures (per contract source), so instantiating a token
 * transfer is a few string concatenations. Calls to other contracts are resolved here, by
 * address, against the deployed contracts: the same template serves every deployment.
 */
import type { AccessClass, BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "../core/accessSet.js";
import { LocationMatcher, covers, isWildcard } from "../core/location.js";
import { ACCOUNTS_ADDRESS, balanceLocation } from "../core/protocol.js";
import type { Address, Value } from "../core/types.js";
import { GAS } from "../contracts/sdk/gas.js";
import type { BlockInfo } from "../contracts/sdk/host.js";
import type { PreparedTx } from "../executor/prepare.js";
import type { StateStore as State } from "../state/state.js";
import { CLASSES, type ContractTemplates, type FunctionTemplate, type Sym } from "./template.js";

/** A concrete value, as contract code would see it. */
type Val = bigint | string | boolean | undefined | readonly Val[];

/** One of several values (a loop variable, both sides of an undecidable choice). */
class Multi {
  constructor(readonly values: readonly Val[]) {}
}

/** A value not known before the block runs. */
class Top {
  constructor(
    readonly mutable: boolean,
    readonly why: string,
  ) {}
}

type CV = Val | Multi | Top;

const MAX_CALL_DEPTH = 32;
/** Calls followed per transaction (fan-out recursion would otherwise explode). */
const MAX_CALLS = 4096;
const MAX_LOCATIONS_PER_ACCESS = 4096;
const NONE: readonly string[] = Object.freeze([]);
/** Interned location strings per access template before the table is dropped. */
const MAX_MEMO = 1 << 20;

/**
 * A small insertion-ordered set of locations. A transaction touches a handful, and comparing
 * freshly concatenated strings would flatten each of them, so locations built from a template
 * are compared by their parts (contract, variable, up to two key values) instead; other
 * entries (wildcards, expanded choices, declared entries) by string. Large sets switch to a Set.
 */
class LocSet {
  readonly items: string[] = [];
  /** Per item: self, name, k0, k1 (self undefined for an entry compared by string). */
  readonly #parts: unknown[] = [];
  #strings = 0;
  #set: Set<string> | undefined;
  wild = false;

  /** Add a location built as `<self>/<name>[/<k0>[/<k1>]]` (keys as their raw values). */
  addParts(loc: string, self: string, name: string, k0: unknown, k1: unknown): void {
    if (this.#set !== undefined) return this.add(loc);
    const parts = this.#parts;
    const n = parts.length;
    for (let i = 0; i < n; i += 4) {
      if (parts[i + 1] === name && parts[i + 2] === k0 && parts[i + 3] === k1 && parts[i] === self) return;
    }
    if (this.#strings > 0) for (let i = 0; i < n; i += 4) if (parts[i] === undefined && this.items[i >> 2] === loc) return;
    this.items.push(loc);
    parts.push(self, name, k0, k1);
    if (this.items.length > 32) this.#set = new Set(this.items);
  }

  /** Whether the set holds `<self>/<name>/<k0>` added by parts. */
  hasParts(self: string, name: string, k0: unknown): boolean {
    const parts = this.#parts;
    for (let i = 0; i < parts.length; i += 4) if (parts[i + 1] === name && parts[i + 2] === k0 && parts[i + 3] === undefined && parts[i] === self) return true;
    return false;
  }

  add(loc: string): void {
    if (this.#set !== undefined) {
      if (this.#set.has(loc)) return;
      this.#set.add(loc);
      this.items.push(loc);
      return;
    }
    if (this.items.includes(loc)) return;
    this.#strings++;
    this.items.push(loc);
    this.#parts.push(undefined, undefined, undefined, undefined);
    if (this.items.length > 32) this.#set = new Set(this.items);
  }

  /** Whether every entry was added by parts (no wildcard, no string entry). */
  get simple(): boolean {
    return this.#strings === 0 && this.#set === undefined;
  }

  get size(): number {
    return this.items.length;
  }
}

interface TxCtx {
  readonly block: BlockInfo;
  readonly state: State;
  readonly resolve: (address: string) => CompiledContract | undefined;
  readonly reads: LocSet;
  readonly writes: LocSet;
  calls: number;
  level: number;
  reasons: string[] | undefined;
  depth: number;
}

interface Env {
  readonly self: string;
  readonly sender: string;
  readonly origin: string;
  readonly args: readonly CV[];
  readonly x: TxCtx;
}

type SymFn = (env: Env) => CV;
type FnRunner = (env: Env) => void;

export interface CompiledContract {
  readonly templates: ContractTemplates;
  readonly functions: ReadonlyMap<string, FnRunner>;
}

function note(x: TxCtx, level: 1 | 2, reason: string): void {
  if (level > x.level) x.level = level;
  (x.reasons ??= []).push(reason);
}

function truthy(v: Val): boolean {
  return !(v === false || v === 0n || v === "" || v === undefined);
}

function values(v: Val | Multi): readonly Val[] {
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

function keyString(v: Val): string | undefined {
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

function catString(v: Val): string {
  return Array.isArray(v) ? v.map((x) => catString(x as Val)).join(",") : String(v);
}

function storageValue(v: Value | undefined): Val {
  return v;
}

function compileSym(s: Sym): SymFn {
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
      const keys = s.keys.map(compileSym);
      const def = compileSym(s.def);
      // Immutable storage never changes within a block: values are cached per pre-state.
      let cachedState: State | undefined;
      let cache = new Map<string, Map<unknown, CV>>();
      const compute = (env: Env): CV => {
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
      const parts = s.parts.map(compileSym);
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
      const a = compileSym(s.a);
      const b = compileSym(s.b);
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
      const a = compileSym(s.a);
      return (env) => {
        const v = a(env);
        if (v instanceof Top) return v;
        if (v instanceof Multi) return new Multi(v.values.map((x) => !truthy(x)));
        return !truthy(v);
      };
    }
    case "and":
    case "or": {
      const a = compileSym(s.a);
      const b = compileSym(s.b);
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
      const c = compileSym(s.c);
      const t = compileSym(s.t);
      const e = compileSym(s.e);
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

/** Whether every guard may hold. */
function compileGuards(guards: readonly Sym[]): ((env: Env) => boolean) | undefined {
  if (guards.length === 0) return undefined;
  const fns = guards.map(compileSym);
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

function compileFunction(t: FunctionTemplate, contract: ContractTemplates): FnRunner {
  const staticUnknown = t.class === "unknown" ? t.reasons.map((r) => `${contract.className}.${t.name} (${contract.file}:${r})`) : undefined;
  // Accesses to the same location template share one location string (a read-modify-write
  // builds it once); each use keeps its own guard.
  const groups = new Map<string, { v: string; keys: readonly Sym[]; uses: { write: boolean; guard: readonly Sym[] }[] }>();
  for (const a of t.accesses) {
    const id = JSON.stringify([a.v, a.keys]);
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { v: a.v, keys: a.keys, uses: [] }));
    g.uses.push({ write: a.rw === "w", guard: a.guard });
  }
  const accesses = Array.from(groups.values(), (g) => {
    const keys = g.keys.map(compileSym);
    const uses = g.uses.map((u) => ({ write: u.write, guard: compileGuards(u.guard) }));
    const unguarded = uses.every((u) => u.guard === undefined);
    const reads = uses.some((u) => !u.write && u.guard === undefined);
    const writes = uses.some((u) => u.write && u.guard === undefined);
    const name = g.v;
    const addParts = (x: TxCtx, env: Env, loc: string, k0: unknown, k1: unknown): void => {
      if (unguarded) {
        if (reads) x.reads.addParts(loc, env.self, name, k0, k1);
        if (writes) x.writes.addParts(loc, env.self, name, k0, k1);
      } else {
        for (const u of uses) {
          if (u.guard !== undefined && !u.guard(env)) continue;
          (u.write ? x.writes : x.reads).addParts(loc, env.self, name, k0, k1);
        }
      }
    };
    const add = (x: TxCtx, env: Env, loc: string, wild: boolean): void => {
      if (unguarded) {
        if (reads) x.reads.add(loc);
        if (writes) x.writes.add(loc);
      } else {
        for (const u of uses) {
          if (u.guard !== undefined && !u.guard(env)) continue;
          (u.write ? x.writes : x.reads).add(loc);
        }
      }
      if (wild) {
        x.reads.wild = true;
        x.writes.wild = true;
      }
    };
    const someUse = (env: Env): boolean => {
      for (const u of uses) if (u.guard === undefined || u.guard(env)) return true;
      return false;
    };
    // Location strings are interned per (self, key values) for this template: a location
    // touched by many transactions (a pool's reserves, a busy sender's nonce) is one string.
    const memo = new Map<string, Map<unknown, string>>();
    let memoSize = 0;
    const single = keys.length === 1 ? keys[0]! : undefined;
    return (env: Env): void => {
      if (!unguarded && !someUse(env)) return;
      const x = env.x;
      if (keys.length === 0) {
        let m = memo.get(env.self);
        if (m === undefined) memo.set(env.self, (m = new Map([[undefined, `${env.self}/${name}`]])));
        addParts(x, env, m.get(undefined)!, undefined, undefined);
        return;
      }
      if (single !== undefined) {
        const v = single(env);
        if (!(v instanceof Multi || v instanceof Top)) {
          let m = memo.get(env.self);
          if (m === undefined) memo.set(env.self, (m = new Map()));
          let loc = m.get(v);
          if (loc === undefined) {
            const ks = keyString(v);
            if (ks === undefined) return; // encodeKey throws before the access: the call reverts
            if (memoSize++ > MAX_MEMO) {
              m.clear();
              memoSize = 0;
            }
            loc = `${env.self}/${name}/${ks}`;
            m.set(v, loc);
          }
          addParts(x, env, loc, v, undefined);
          return;
        }
      }
      let loc = `${env.self}/${name}`;
      // Every key a single value.
      let i = 0;
      let k0: unknown;
      let k1: unknown;
      for (; i < keys.length; i++) {
        const v = keys[i]!(env);
        if (v instanceof Multi || v instanceof Top) break;
        const ks = keyString(v);
        if (ks === undefined) return; // encodeKey throws before the access: the call reverts
        loc += `/${ks}`;
        if (i === 0) k0 = v;
        else if (i === 1) k1 = v;
      }
      if (i === keys.length) {
        if (i <= 2) addParts(x, env, loc, k0, k1);
        else add(x, env, loc, false);
        return;
      }
      let locs = [loc];
      for (; i < keys.length; i++) {
        const v = keys[i]!(env);
        if (v instanceof Top) {
          if (v.mutable) note(x, 2, `${contract.className}.${t.name}: a key of ${name} depends on mutable storage (${v.why})`);
          else note(x, 1, `${contract.className}.${t.name}: a key of ${name} is not known before the block runs (${v.why})`);
          for (const l of locs) add(x, env, `${l}/*`, true);
          return;
        }
        const next: string[] = [];
        for (const kv of values(v)) {
          const ks = keyString(kv);
          if (ks !== undefined) for (const l of locs) next.push(`${l}/${ks}`);
        }
        locs = next;
        if (locs.length > MAX_LOCATIONS_PER_ACCESS) {
          note(x, 1, `${contract.className}.${t.name}: too many locations for ${name}: wildcard`);
          add(x, env, `${env.self}/${name}/*`, true);
          return;
        }
      }
      for (const l of locs) add(x, env, l, false);
    };
  });
  const calls = t.calls.map((c) => {
    const target = compileSym(c.target);
    const args = c.args.map(compileSym);
    const guard = compileGuards(c.guard);
    const fn = c.fn;
    return (env: Env): void => {
      if (guard !== undefined && !guard(env)) return;
      const x = env.x;
      const tv = target(env);
      if (tv instanceof Top) {
        note(x, 2, `${contract.className}.${t.name}: the target of the call to "${fn}" is not known before the block runs (${tv.why})`);
        return;
      }
      const argValues = args.map((a) => a(env));
      for (const address of values(tv)) {
        if (typeof address !== "string") continue; // the call reverts: no contract there
        const callee = x.resolve(address);
        if (callee === undefined) continue;
        const run = callee.functions.get(fn);
        const tmpl = callee.templates.functions[fn];
        if (run === undefined || tmpl === undefined || !tmpl.public) continue; // reverts before any access
        if (x.depth >= MAX_CALL_DEPTH || x.calls >= MAX_CALLS) {
          note(x, 2, x.depth >= MAX_CALL_DEPTH ? `calls nested deeper than ${MAX_CALL_DEPTH} are not followed` : `more than ${MAX_CALLS} calls are not followed`);
          return;
        }
        x.calls++;
        x.depth++;
        try {
          run({ self: address, sender: env.self, origin: env.origin, args: argValues, x });
        } finally {
          x.depth--;
        }
      }
    };
  });
  return (env) => {
    if (staticUnknown !== undefined) for (const r of staticUnknown) note(env.x, 2, r);
    for (const a of accesses) a(env);
    for (const c of calls) c(env);
  };
}

/** Compile a contract's templates into closures (cached per templates object). */
const compiledCache = new WeakMap<ContractTemplates, CompiledContract>();

export function compileTemplates(templates: ContractTemplates): CompiledContract {
  let compiled = compiledCache.get(templates);
  if (compiled === undefined) {
    const functions = new Map<string, FnRunner>();
    for (const [name, t] of Object.entries(templates.functions)) functions.set(name, compileFunction(t, templates));
    compiled = { templates, functions };
    compiledCache.set(templates, compiled);
  }
  return compiled;
}

/** One transaction's set, with what the analyzer found out about it. */
export interface TxAccessSetDetail extends TxAccessSet {
  /** Why the class is not `exact`. */
  readonly reasons: readonly string[];
  /** Inferred accesses of the execute phase that the declared list does not cover. */
  readonly warnings: readonly string[];
  /** The inferred set alone (all phases, before merging the declared list). */
  readonly inferred: { readonly reads: readonly string[]; readonly writes: readonly string[] };
}

export interface BlockAccessSetsDetail extends BlockAccessSets {
  readonly txs: readonly TxAccessSetDetail[];
  readonly warnings: readonly string[];
}

export interface InstantiatorParameters {
  /** Templates of the contract deployed at each address. */
  readonly contracts: ReadonlyMap<string, ContractTemplates>;
  readonly block: BlockInfo;
  /** The pre-block state: immutable storage is read from it. */
  readonly state: State;
  /** Whether the validate phase checks signatures (reads the sender's key). Default true. */
  readonly checkSignatures?: boolean;
  /**
   * The executor's declared-list policy. Under `strict`, an access outside a transaction's
   * declared list reverts, so a declared list bounds a transaction whose inferred set is
   * unknown: its class becomes `over-approximate`.
   */
  readonly enforce?: "strict" | "fallback" | "off";
}

const TOP_REFUND = new Top(false, "the refund is computed after execution");

/** Instantiates templates for the transactions of one block. */
export class Instantiator {
  readonly #byAddress = new Map<string, CompiledContract>();
  readonly #block: BlockInfo;
  readonly #state: State;
  readonly #checkSignatures: boolean;
  readonly #strict: boolean;
  readonly #feeLocation: string;
  readonly #resolve: (address: string) => CompiledContract | undefined;
  readonly #validate: FnRunner | undefined;
  readonly #settle: FnRunner | undefined;

  constructor(parameters: InstantiatorParameters) {
    for (const [address, templates] of parameters.contracts) this.#byAddress.set(address, compileTemplates(templates));
    this.#block = parameters.block;
    this.#state = parameters.state;
    this.#checkSignatures = parameters.checkSignatures ?? true;
    this.#strict = parameters.enforce === "strict";
    this.#feeLocation = balanceLocation(parameters.block.sequencer);
    this.#resolve = (address) => this.#byAddress.get(address);
    const accounts = this.#byAddress.get(ACCOUNTS_ADDRESS);
    this.#validate = accounts?.functions.get("_validate");
    this.#settle = accounts?.functions.get("_settle");
  }

  get feeRecipientLocation(): string {
    return this.#feeLocation;
  }

  instantiate(p: PreparedTx): TxAccessSetDetail {
    const { tx } = p;
    const x: TxCtx = { block: this.#block, state: this.#state, resolve: this.#resolve, reads: new LocSet(), writes: new LocSet(), calls: 0, level: 0, reasons: undefined, depth: 0 };
    // Execute phase first: sets keep insertion order, so its accesses are the first entries.
    const target = this.#byAddress.get(tx.to);
    const run = target?.functions.get(tx.fn);
    if (target === undefined || run === undefined) note(x, 2, `no template for ${tx.to}.${tx.fn}`);
    else run({ self: tx.to, sender: tx.from, origin: tx.from, args: p.args as readonly Val[], x });
    const execReads = x.reads.size;
    const execWrites = x.writes.size;
    // Validate and settlement phases (the sequencer's fee credit is not an access).
    if (this.#validate === undefined || this.#settle === undefined) note(x, 2, "no account contract with _validate and _settle");
    else {
      this.#validate({ self: ACCOUNTS_ADDRESS, sender: tx.from, origin: tx.from, args: [tx.from, tx.nonce, p.hash, tx.signature, p.maxFee, this.#checkSignatures], x });
      this.#settle({ self: ACCOUNTS_ADDRESS, sender: ACCOUNTS_ADDRESS, origin: ACCOUNTS_ADDRESS, args: [tx.from, TOP_REFUND], x });
    }
    const inferredReads = x.reads.items;
    const inferredWrites = x.writes.items;
    const inferredCount = [inferredReads.length, inferredWrites.length] as const;

    // Merge the declared list; warn where it misses an inferred access of the execute phase.
    let warnings: string[] | undefined;
    let level = x.level;
    const reasons = x.reasons ?? (this.#strict ? [] : NONE);
    let reads = inferredReads;
    let writes = inferredWrites;
    const declared = tx.accessList;
    let declaredWild = false;
    if (declared !== undefined) {
      let wild = false;
      let outside = false;
      for (const l of declared.reads) {
        if (l.charCodeAt(l.length - 1) === 42 && l.endsWith("/*")) wild = true;
        if (!outside && !inferredReads.includes(l)) outside = true;
      }
      for (const l of declared.writes) {
        if (l.charCodeAt(l.length - 1) === 42 && l.endsWith("/*")) wild = true;
        if (!outside && !inferredWrites.includes(l)) outside = true;
      }
      declaredWild = wild;
      const readable = wild ? new LocationMatcher([...declared.reads, ...declared.writes]) : undefined;
      const writable = wild ? new LocationMatcher(declared.writes) : undefined;
      for (let i = 0; i < execReads; i++) {
        const loc = inferredReads[i]!;
        if (!(declared.writes.includes(loc) || declared.reads.includes(loc) || readable?.has(loc) === true)) (warnings ??= []).push(`tx ${p.index}: the declared list misses the inferred read of ${loc}`);
      }
      for (let i = 0; i < execWrites; i++) {
        const loc = inferredWrites[i]!;
        if (!(declared.writes.includes(loc) || writable?.has(loc) === true)) (warnings ??= []).push(`tx ${p.index}: the declared list misses the inferred write of ${loc}`);
      }
      if (outside) {
        const merged = { reads: new LocSet(), writes: new LocSet() };
        for (const loc of inferredReads) merged.reads.add(loc);
        for (const loc of inferredWrites) merged.writes.add(loc);
        for (const loc of declared.reads) merged.reads.add(loc);
        for (const loc of declared.writes) merged.writes.add(loc);
        if (merged.reads.size !== inferredCount[0]) reads = merged.reads.items;
        if (merged.writes.size !== inferredCount[1]) writes = merged.writes.items;
      }
      if (level === 2 && this.#strict) {
        level = 1;
        (reasons as string[]).push("the declared list bounds the execute phase (strict enforcement)");
      }
    }
    const cls = CLASSES[level] as AccessClass;
    let feeRecipient: FeeRecipientAccess = "none";
    const sequencer = this.#block.sequencer;
    if (cls === "unknown") feeRecipient = "read-write";
    else if (x.writes.simple && x.reads.simple && reads === inferredReads && writes === inferredWrites) {
      if (x.writes.hasParts(ACCOUNTS_ADDRESS, "balance", sequencer)) feeRecipient = "read-write";
      else if (x.reads.hasParts(ACCOUNTS_ADDRESS, "balance", sequencer)) feeRecipient = "read";
    }
    else if (writes.includes(this.#feeLocation) || ((x.writes.wild || declaredWild) && this.#touches(writes))) feeRecipient = "read-write";
    else if (reads.includes(this.#feeLocation) || ((x.reads.wild || declaredWild) && this.#touches(reads))) feeRecipient = "read";
    const gas = Math.min(Number(tx.gasLimit), GAS.txBase + execReads * GAS.read + execWrites * GAS.write + x.calls * GAS.call);
    return {
      index: p.index,
      reads,
      writes,
      gas,
      class: cls,
      feeRecipient,
      reasons,
      warnings: warnings ?? NONE,
      inferred: { reads: inferredReads, writes: inferredWrites },
    };
  }

  #touches(locs: readonly string[]): boolean {
    for (const l of locs) if (l === this.#feeLocation || (isWildcard(l) && covers(l, this.#feeLocation))) return true;
    return false;
  }

  instantiateBlock(prepared: readonly PreparedTx[]): BlockAccessSetsDetail {
    const txs = prepared.map((p) => this.instantiate(p));
    return { feeRecipientLocation: this.#feeLocation, txs, warnings: txs.flatMap((t) => t.warnings) };
  }
}

export type { Address };
