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
import type { State } from "../state/state.js";
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
const MAX_LOCATIONS_PER_ACCESS = 4096;

interface TxCtx {
  readonly block: BlockInfo;
  readonly state: State;
  readonly resolve: (address: string) => CompiledContract | undefined;
  reads: Set<string>;
  writes: Set<string>;
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
      return (env) => {
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
  const accesses = t.accesses.map((a) => {
    const keys = a.keys.map(compileSym);
    const guard = compileGuards(a.guard);
    const write = a.rw === "w";
    const name = a.v;
    return (env: Env): void => {
      if (guard !== undefined && !guard(env)) return;
      const x = env.x;
      const out = write ? x.writes : x.reads;
      let loc = `${env.self}/${name}`;
      // Fast path: every key a single value.
      let i = 0;
      for (; i < keys.length; i++) {
        const v = keys[i]!(env);
        if (v instanceof Multi || v instanceof Top) break;
        const ks = keyString(v);
        if (ks === undefined) return; // encodeKey throws before the access: the call reverts
        loc += `/${ks}`;
      }
      if (i === keys.length) {
        out.add(loc);
        return;
      }
      let locs = [loc];
      for (; i < keys.length; i++) {
        const v = keys[i]!(env);
        if (v instanceof Top) {
          if (v.mutable) note(x, 2, `${contract.className}.${t.name}: a key of ${name} depends on mutable storage (${v.why})`);
          else note(x, 1, `${contract.className}.${t.name}: a key of ${name} is not known before the block runs (${v.why})`);
          for (const l of locs) out.add(`${l}/*`);
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
          out.add(`${env.self}/${name}/*`);
          return;
        }
      }
      for (const l of locs) out.add(l);
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
        if (x.depth >= MAX_CALL_DEPTH) {
          note(x, 2, `calls nested deeper than ${MAX_CALL_DEPTH} are not followed`);
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

  constructor(parameters: InstantiatorParameters) {
    for (const [address, templates] of parameters.contracts) this.#byAddress.set(address, compileTemplates(templates));
    this.#block = parameters.block;
    this.#state = parameters.state;
    this.#checkSignatures = parameters.checkSignatures ?? true;
    this.#strict = parameters.enforce === "strict";
    this.#feeLocation = balanceLocation(parameters.block.sequencer);
    this.#resolve = (address) => this.#byAddress.get(address);
  }

  get feeRecipientLocation(): string {
    return this.#feeLocation;
  }

  instantiate(p: PreparedTx): TxAccessSetDetail {
    const { tx } = p;
    const x: TxCtx = { block: this.#block, state: this.#state, resolve: this.#resolve, reads: new Set(), writes: new Set(), calls: 0, level: 0, reasons: undefined, depth: 0 };
    // Execute phase.
    const target = this.#byAddress.get(tx.to);
    const run = target?.functions.get(tx.fn);
    if (target === undefined || run === undefined) note(x, 2, `no template for ${tx.to}.${tx.fn}`);
    else run({ self: tx.to, sender: tx.from, origin: tx.from, args: p.args as readonly Val[], x });
    const execReads = Array.from(x.reads);
    const execWrites = Array.from(x.writes);
    // Validate and settlement phases (the sequencer's fee credit is not an access).
    const accounts = this.#byAddress.get(ACCOUNTS_ADDRESS);
    const validate = accounts?.functions.get("_validate");
    const settle = accounts?.functions.get("_settle");
    if (validate === undefined || settle === undefined) note(x, 2, "no account contract with _validate and _settle");
    else {
      validate({ self: ACCOUNTS_ADDRESS, sender: tx.from, origin: tx.from, args: [tx.from, tx.nonce, p.hash, tx.signature, p.maxFee, this.#checkSignatures], x });
      settle({ self: ACCOUNTS_ADDRESS, sender: ACCOUNTS_ADDRESS, origin: ACCOUNTS_ADDRESS, args: [tx.from, TOP_REFUND], x });
    }
    const inferredReads = Array.from(x.reads);
    const inferredWrites = Array.from(x.writes);

    // Merge the declared list; warn where it misses an inferred access of the execute phase.
    let warnings: string[] | undefined;
    let level = x.level;
    const reasons = x.reasons ?? [];
    const declared = tx.accessList;
    if (declared !== undefined) {
      const readable = new LocationMatcher([...declared.reads, ...declared.writes]);
      const writable = new LocationMatcher(declared.writes);
      for (const loc of execReads) if (!readable.has(loc) && !declared.reads.includes(loc) && !declared.writes.includes(loc)) (warnings ??= []).push(`tx ${p.index}: the declared list misses the inferred read of ${loc}`);
      for (const loc of execWrites) if (!writable.has(loc) && !declared.writes.includes(loc)) (warnings ??= []).push(`tx ${p.index}: the declared list misses the inferred write of ${loc}`);
      for (const loc of declared.reads) x.reads.add(loc);
      for (const loc of declared.writes) x.writes.add(loc);
      if (level === 2 && this.#strict) {
        level = 1;
        reasons.push("the declared list bounds the execute phase (strict enforcement)");
      }
    }
    const cls = CLASSES[level] as AccessClass;
    const reads = Array.from(x.reads);
    const writes = Array.from(x.writes);
    let feeRecipient: FeeRecipientAccess = "none";
    if (cls === "unknown") feeRecipient = "read-write";
    else if (this.#touches(writes)) feeRecipient = "read-write";
    else if (this.#touches(reads)) feeRecipient = "read";
    const gas = Math.min(Number(tx.gasLimit), GAS.txBase + execReads.length * GAS.read + execWrites.length * GAS.write + x.calls * GAS.call);
    return {
      index: p.index,
      reads,
      writes,
      gas,
      class: cls,
      feeRecipient,
      reasons,
      warnings: warnings ?? [],
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
