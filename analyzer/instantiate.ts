/**
 * Instantiation: access templates + a transaction (its sender, converted arguments) + the
 * block + the pre-block state (for immutable storage) → the transaction's access set and class.
 *
 * Templates are compiled once into closures (per contract source). Calls to other contracts are
 * resolved here, by address, against the deployed contracts: the same template serves every
 * deployment. Each deployment numbers the location bases of its variables (`<address>/<var>/`)
 * once, so instantiating a token transfer is a handful of comparisons of the transaction's own
 * argument strings and one concatenation per location (see locationList.ts): nothing the block
 * has never seen is hashed.
 */
import type { AccessClass, BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "../core/accessSet.js";
import { LocationMatcher, covers, isWildcard } from "../core/location.js";
import { ACCOUNTS_ADDRESS, balanceLocation } from "../core/protocol.js";
import type { Address } from "../core/types.js";
import { GAS } from "../contracts/sdk/gas.js";
import type { BlockInfo } from "../contracts/sdk/host.js";
import type { PreparedTx } from "../executor/prepare.js";
import type { StateStore as State } from "../state/state.js";
import { LocationList } from "./locationList.js";
import { CallShapes, ORIGIN, SELF, SENDER, decidingInputs, directSource, replay, sentinel, shapeOf, type DecidingInputs, type RecordedUse, type Shape } from "./shapes.js";
import { Multi, SharedSyms, Top, compileGuards, compileSym, keyString, nextCall, note, stringSegment, values, type CV, type SymContext, type SymEnv, type SymFn, type Val } from "./symbolic.js";
import { CLASSES, type ContractTemplates, type FunctionTemplate, type Sym } from "./template.js";

const MAX_CALL_DEPTH = 32;
/** Calls followed per transaction (fan-out recursion would otherwise explode). */
const MAX_CALLS = 4096;
const MAX_LOCATIONS_PER_ACCESS = 4096;
const NONE: readonly string[] = Object.freeze([]);
/** The base number of a variable whose name cannot be a location segment (its entries are strings). */
const NO_BASE = -1;
const MAX_USES = 30;

/** A contract at an address, with the numbers of its location bases. */
interface Deployment {
  readonly address: string;
  readonly compiled: CompiledContract;
  /** Per variable slot of the compiled contract: the scalar base at 2·slot, the map base at 2·slot + 1. */
  readonly bases: Int32Array;
  /** The recorded shapes of its functions' calls, by function name (see shapes.ts). */
  readonly shapes: Map<string, CallShapes>;
}

interface TxCtx extends SymContext {
  /** The last key string found free of "/". */
  checkedKey: string | undefined;
  readonly resolve: (address: string) => Deployment | undefined;
  readonly reads: LocationList;
  readonly writes: LocationList;
  calls: number;
  depth: number;
  /** Units of the SDK's `work` the transaction's calls are known to spend (gas estimate only). */
  work: number;
  /**
   * The environment of the followed call at each depth (1 and deeper), refilled call after call:
   * a call at depth d runs to its end before its caller's next call at d, and nothing keeps an
   * environment after its call returns (see #x).
   */
  readonly envs: (TopEnv | undefined)[];
  /** While a shape is recorded: the uses of access groups, in order (nothing is added to the lists). */
  recording: RecordedUse[] | undefined;
  /** While a shape is recorded: an access the shape cannot replay was met (a string entry). */
  spoiled: boolean;
}

interface Env extends SymEnv {
  readonly x: TxCtx;
  readonly deployment: Deployment;
}

/**
 * The environment of a call the instantiator makes itself (the transaction's call, validation,
 * settlement): one object per instantiator, refilled for every transaction. Every environment,
 * refilled or not, is made by `callEnv`, so that the closures reading them see one shape.
 */
interface TopEnv extends Env {
  self: string;
  sender: string;
  origin: string;
  args: readonly CV[];
  deployment: Deployment;
  call: number;
}

function callEnv(self: string, sender: string, origin: string, args: readonly CV[], x: TxCtx, deployment: Deployment): TopEnv {
  return { self, sender, origin, args, x, deployment, call: nextCall() };
}

type FnRunner = (env: Env) => void;

export interface CompiledContract {
  readonly templates: ContractTemplates;
  readonly functions: ReadonlyMap<string, FnRunner>;
  /** The storage variables the templates access, by slot. */
  readonly variables: readonly string[];
}

/** `/*` at the end (isWildcard without the endsWith call, which costs more than the test). */
function endsInWildcard(l: string): boolean {
  return l.charCodeAt(l.length - 1) === 42 && l.charCodeAt(l.length - 2) === 47;
}

/**
 * The values of a call's arguments, in an array literal for the common counts: packed like the
 * transaction's own arguments, so that reading an argument stays monomorphic.
 */
function evaluate(args: readonly SymFn[], env: Env): readonly CV[] {
  switch (args.length) {
    case 0:
      return NONE as readonly CV[];
    case 1:
      return [args[0]!(env)];
    case 2:
      return [args[0]!(env), args[1]!(env)];
    case 3:
      return [args[0]!(env), args[1]!(env), args[2]!(env)];
    case 4:
      return [args[0]!(env), args[1]!(env), args[2]!(env), args[3]!(env)];
    default:
      return args.map((a) => a(env));
  }
}

function compileFunction(t: FunctionTemplate, contract: ContractTemplates, slotOf: (name: string) => number, share: boolean): FnRunner {
  const staticUnknown = t.class === "unknown" ? t.reasons.map((r) => `${contract.className}.${t.name} (${contract.file}:${r})`) : undefined;
  // Accesses to the same location template share one location (a read-modify-write builds it
  // once); each use keeps its own guard. A group has at most 30 uses (a bit mask of them each).
  const groups = new Map<string, { v: string; keys: readonly Sym[]; uses: { write: boolean; guard: readonly Sym[] }[] }>();
  for (const a of t.accesses) {
    const location = JSON.stringify([a.v, a.keys]);
    let id = location;
    for (let n = 1; (groups.get(id)?.uses.length ?? 0) >= MAX_USES; n++) id = `${location}#${n}`;
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { v: a.v, keys: a.keys, uses: [] }));
    g.uses.push({ write: a.rw === "w", guard: a.guard });
  }
  const shared = share ? new SharedSyms() : undefined;
  if (shared !== undefined) {
    for (const g of groups.values()) for (const s of [...g.keys, ...g.uses.flatMap((u) => u.guard)]) shared.count(s);
    for (const c of t.calls) for (const s of [c.target, ...c.args, ...c.guard]) shared.count(s);
    for (const w of t.work ?? []) for (const s of [w.units, ...w.guard]) shared.count(s);
  }
  const accesses = Array.from(groups.values(), (g) => {
    const keys = g.keys.map((k) => compileSym(k, shared));
    const keyCount = keys.length;
    const guards = g.uses.map((u) => compileGuards(u.guard, shared));
    let readMask = 0;
    let writeMask = 0;
    g.uses.forEach((u, k) => (u.write ? (writeMask |= 1 << k) : (readMask |= 1 << k)));
    const allMask = readMask | writeMask;
    const unguarded = guards.every((guard) => guard === undefined);
    /** The uses whose guards may hold, as a bit mask (each guard evaluated once). */
    const enabled = (env: Env): number => {
      let mask = 0;
      for (let k = 0; k < guards.length; k++) {
        const guard = guards[k];
        if (guard === undefined || guard(env)) mask |= 1 << k;
      }
      return mask;
    };
    const name = g.v;
    const baseSlot = 2 * slotOf(name) + (keyCount === 0 ? 0 : 1);
    // The read is added before the write; the two lists are separate, so the order in which the
    // uses were written does not matter.
    const addPart = (env: Env, mask: number, base: number, key: string): void => {
      if (base === NO_BASE) return add(env, mask, key === "" ? `${env.self}/${name}` : `${env.self}/${name}/${key}`, false);
      const x = env.x;
      if (x.recording !== undefined) {
        x.recording.push({ base, key, read: (mask & readMask) !== 0, write: (mask & writeMask) !== 0 });
        return;
      }
      let read = -1;
      if ((mask & readMask) !== 0) read = x.reads.addPart(base, key, -1);
      if ((mask & writeMask) !== 0) x.writes.addPart(base, key, read);
    };
    const add = (env: Env, mask: number, loc: string, wild: boolean): void => {
      const x = env.x;
      if (x.recording !== undefined) {
        x.spoiled = true;
        return;
      }
      if ((mask & readMask) !== 0) x.reads.add(loc);
      if ((mask & writeMask) !== 0) x.writes.add(loc);
      if (wild) {
        x.reads.wild = true;
        x.writes.wild = true;
      }
    };
    // The common key, an argument or the caller, read directly rather than through a closure.
    const direct = keyCount === 1 ? directSource(g.keys[0]!) : undefined;
    return (env: Env): void => {
      const mask = unguarded ? allMask : enabled(env);
      if (mask === 0) return;
      const base = env.deployment.bases[baseSlot]!;
      if (keyCount === 0) return addPart(env, mask, base, "");
      if (direct !== undefined) {
        const v = direct === SENDER ? env.sender : direct === SELF ? env.self : direct === ORIGIN ? env.origin : env.args[direct];
        if (typeof v === "string") {
          const ks = stringSegment(env.x, v);
          return ks === undefined ? undefined : addPart(env, mask, base, ks);
        }
      }
      // Every key a single value: a base and a key.
      let key = "";
      let i = 0;
      let v: CV;
      for (; ; i++) {
        if (i === keyCount) return addPart(env, mask, base, key);
        v = keys[i]!(env);
        if (typeof v === "object" && (v instanceof Multi || v instanceof Top)) break;
        const ks = keyString(v);
        if (ks === undefined) return; // encodeKey throws before the access: the call reverts
        key = i === 0 ? ks : `${key}/${ks}`;
      }
      // A key with several values, or not known before the block runs: string entries.
      const x = env.x;
      let locs = [i === 0 ? `${env.self}/${name}` : `${env.self}/${name}/${key}`];
      for (; i < keyCount; i++) {
        if (v === undefined) v = keys[i]!(env);
        if (v instanceof Top) {
          if (v.mutable) note(x, 2, `${contract.className}.${t.name}: a key of ${name} depends on mutable storage (${v.why})`);
          else note(x, 1, `${contract.className}.${t.name}: a key of ${name} is not known before the block runs (${v.why})`);
          for (const l of locs) add(env, mask, `${l}/*`, true);
          return;
        }
        const next: string[] = [];
        for (const kv of values(v)) {
          const ks = keyString(kv);
          if (ks !== undefined) for (const l of locs) next.push(`${l}/${ks}`);
        }
        locs = next;
        v = undefined;
        if (locs.length > MAX_LOCATIONS_PER_ACCESS) {
          note(x, 1, `${contract.className}.${t.name}: too many locations for ${name}: wildcard`);
          add(env, mask, `${env.self}/${name}/*`, true);
          return;
        }
      }
      for (const l of locs) add(env, mask, l, false);
    };
  });
  const calls = t.calls.map((c) => {
    const target = compileSym(c.target, shared);
    const args = c.args.map((a) => compileSym(a, shared));
    const guard = compileGuards(c.guard, shared);
    const fn = c.fn;
    /** Follow the call to one target; false when the call limits stop the evaluation. */
    const follow = (env: Env, address: Val, argValues: readonly CV[]): boolean => {
      if (typeof address !== "string") return true; // the call reverts: no contract there
      const x = env.x;
      const callee = x.resolve(address);
      if (callee === undefined) return true;
      const run = callee.compiled.functions.get(fn);
      const tmpl = callee.compiled.templates.functions[fn];
      if (run === undefined || tmpl === undefined || !tmpl.public) return true; // reverts before any access
      if (x.depth >= MAX_CALL_DEPTH || x.calls >= MAX_CALLS) {
        note(x, 2, x.depth >= MAX_CALL_DEPTH ? `calls nested deeper than ${MAX_CALL_DEPTH} are not followed` : `more than ${MAX_CALLS} calls are not followed`);
        return false;
      }
      x.calls++;
      const depth = ++x.depth;
      try {
        let calleeEnv = x.envs[depth];
        if (calleeEnv === undefined) x.envs[depth] = calleeEnv = callEnv(callee.address, env.self, env.origin, argValues, x, callee);
        else {
          calleeEnv.self = callee.address;
          calleeEnv.sender = env.self;
          calleeEnv.origin = env.origin;
          calleeEnv.args = argValues;
          calleeEnv.deployment = callee;
          calleeEnv.call = nextCall();
        }
        run(calleeEnv);
      } finally {
        x.depth--;
      }
      return true;
    };
    return (env: Env): void => {
      if (guard !== undefined && !guard(env)) return;
      const tv = target(env);
      if (tv instanceof Top) {
        note(env.x, 2, `${contract.className}.${t.name}: the target of the call to "${fn}" is not known before the block runs (${tv.why})`);
        return;
      }
      const argValues = evaluate(args, env);
      if (!(tv instanceof Multi)) {
        follow(env, tv, argValues);
        return;
      }
      for (const address of tv.values) if (!follow(env, address, argValues)) return;
    };
  });
  // Units of work known before the block runs are added to the gas estimate; others are not
  // (an estimate, not a bound: the executor meters the real amount).
  const work = (t.work ?? []).map((w) => {
    const units = compileSym(w.units, shared);
    const guard = compileGuards(w.guard, shared);
    return (env: Env): void => {
      if (guard !== undefined && !guard(env)) return;
      const v = units(env);
      if (typeof v === "bigint" ? v > 0n : typeof v === "number" && v > 0) env.x.work += Number(v);
    };
  });
  return (env) => {
    if (staticUnknown !== undefined) for (const r of staticUnknown) note(env.x, 2, r);
    for (let i = 0; i < accesses.length; i++) accesses[i]!(env);
    for (let i = 0; i < calls.length; i++) calls[i]!(env);
    for (let i = 0; i < work.length; i++) work[i]!(env);
  };
}

/** Compile a contract's templates into closures (cached per templates object). */
const compiledCache = new WeakMap<ContractTemplates, CompiledContract>();
const unsharedCache = new WeakMap<ContractTemplates, CompiledContract>();

/**
 * `share` false compiles every use of a sub-expression on its own (see SharedSyms): the
 * straightforward evaluation the shared one is tested against.
 */
export function compileTemplates(templates: ContractTemplates, share = true): CompiledContract {
  const cache = share ? compiledCache : unsharedCache;
  let compiled = cache.get(templates);
  if (compiled === undefined) {
    const variables: string[] = [];
    const slotOf = (name: string): number => {
      const at = variables.indexOf(name);
      return at >= 0 ? at : variables.push(name) - 1;
    };
    const functions = new Map<string, FnRunner>();
    for (const [name, t] of Object.entries(templates.functions)) functions.set(name, compileFunction(t, templates, slotOf, share));
    compiled = { templates, functions, variables };
    cache.set(templates, compiled);
  }
  return compiled;
}

/** One transaction's set, with what the analyzer found out about it. */
export interface TxAccessSetDetail extends TxAccessSet {
  /** The analyzer's own classes (it never predicts). */
  readonly class: AccessClass;
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
  /**
   * Whether a sub-expression the templates of a function use more than once is evaluated once
   * per call. Default true; false is the straightforward evaluation (the same sets, slower),
   * which tests compare the shared one with.
   */
  readonly shareSubexpressions?: boolean;
  /**
   * Whether a call whose shape was seen before replays its record instead of evaluating the
   * templates (see shapes.ts). Default true; false evaluates every call (the same sets, slower),
   * which tests compare the replay with.
   */
  readonly replayShapes?: boolean;
}

const TOP_REFUND = new Top(false, "the refund is computed after execution");

/** Instantiates templates for the transactions of one block. */
export class Instantiator {
  readonly #byAddress = new Map<string, Deployment>();
  /** Location base texts by number (see locationList.ts). */
  readonly #baseStrings: string[] = [];
  /** The lists of the transaction being instantiated (reused: see locationList.ts). */
  readonly #reads = new LocationList(this.#baseStrings);
  readonly #writes = new LocationList(this.#baseStrings, this.#reads);
  readonly #block: BlockInfo;
  readonly #state: State;
  readonly #checkSignatures: boolean;
  readonly #strict: boolean;
  readonly #feeLocation: string;
  readonly #resolve: (address: string) => Deployment | undefined;
  readonly #accounts: Deployment | undefined;
  readonly #validate: FnRunner | undefined;
  readonly #settle: FnRunner | undefined;
  /**
   * What one transaction's evaluation shares, refilled for every transaction, with the
   * environments and argument lists of the calls made for it: nothing of them outlives the
   * transaction (symbolic values keep argument values, never the lists), and allocating them per
   * transaction costs more collections of the young generation per block.
   */
  readonly #x: TxCtx;
  readonly #execEnv: TopEnv | undefined;
  readonly #validateArgs: CV[] = [];
  readonly #validateEnv: TopEnv | undefined;
  readonly #settleArgs: CV[] = [];
  readonly #settleEnv: TopEnv | undefined;
  readonly #replayShapes: boolean;
  readonly #byContract = new Map<PreparedTx["target"], Deployment>();
  #lastContract: PreparedTx["target"] | undefined;
  #lastDeployment: Deployment | undefined;
  readonly #deciding: DecidingInputs;
  readonly #validateShapes: CallShapes | undefined;
  readonly #settleShapes: CallShapes | undefined;

  constructor(parameters: InstantiatorParameters) {
    const numbers = new Map<string, number>();
    const baseNumber = (text: string): number => {
      let n = numbers.get(text);
      if (n === undefined) numbers.set(text, (n = this.#baseStrings.push(text) - 1));
      return n;
    };
    for (const [address, templates] of parameters.contracts) {
      const compiled = compileTemplates(templates, parameters.shareSubexpressions ?? true);
      const bases = new Int32Array(2 * compiled.variables.length).fill(NO_BASE);
      compiled.variables.forEach((name, slot) => {
        // A name with a "/" fails at deployment; were it deployed, its entries stay strings.
        if (name.includes("/")) return;
        bases[2 * slot] = baseNumber(`${address}/${name}`);
        bases[2 * slot + 1] = baseNumber(`${address}/${name}/`);
      });
      this.#byAddress.set(address, { address, compiled, bases, shapes: new Map() });
    }
    this.#replayShapes = parameters.replayShapes ?? true;
    this.#deciding = decidingInputs(parameters.contracts.values());
    this.#block = parameters.block;
    this.#state = parameters.state;
    this.#checkSignatures = parameters.checkSignatures ?? true;
    this.#strict = parameters.enforce === "strict";
    this.#feeLocation = balanceLocation(parameters.block.sequencer);
    const feeBase = numbers.get(`${ACCOUNTS_ADDRESS}/balance/`) ?? NO_BASE;
    this.#reads.watch(feeBase, parameters.block.sequencer);
    this.#writes.watch(feeBase, parameters.block.sequencer);
    // Most transactions of a block call the contract the previous one called: compare with it
    // before hashing a target address the block has never seen.
    let last: Deployment | undefined;
    this.#resolve = (address) => {
      if (last !== undefined && last.address === address) return last;
      const found = this.#byAddress.get(address);
      if (found !== undefined) last = found;
      return found;
    };
    this.#accounts = this.#byAddress.get(ACCOUNTS_ADDRESS);
    this.#validate = this.#accounts?.compiled.functions.get("_validate");
    this.#settle = this.#accounts?.compiled.functions.get("_settle");
    this.#validateShapes = this.#accounts === undefined ? undefined : this.#shapesOf(this.#accounts, "_validate");
    this.#settleShapes = this.#accounts === undefined ? undefined : this.#shapesOf(this.#accounts, "_settle");
    this.#x = {
      block: this.#block,
      state: this.#state,
      level: 0,
      reasons: undefined,
      checkedKey: undefined,
      resolve: this.#resolve,
      reads: this.#reads,
      writes: this.#writes,
      calls: 0,
      depth: 0,
      work: 0,
      envs: [],
      recording: undefined,
      spoiled: false,
    };
    const accounts = this.#accounts;
    const anyDeployment = accounts ?? this.#byAddress.values().next().value;
    if (anyDeployment !== undefined) this.#execEnv = callEnv("", "", "", NONE, this.#x, anyDeployment);
    if (accounts !== undefined) {
      this.#validateArgs = ["", 0n, 0n, "", 0n, this.#checkSignatures];
      this.#validateEnv = callEnv(accounts.address, "", "", this.#validateArgs, this.#x, accounts);
      this.#settleArgs = ["", TOP_REFUND];
      this.#settleEnv = callEnv(accounts.address, accounts.address, accounts.address, this.#settleArgs, this.#x, accounts);
    }
  }

  get feeRecipientLocation(): string {
    return this.#feeLocation;
  }

  instantiate(p: PreparedTx): TxAccessSetDetail {
    const { tx } = p;
    this.#reads.reset();
    this.#writes.reset();
    const x = this.#x;
    x.level = 0;
    x.reasons = undefined;
    x.checkedKey = undefined;
    x.calls = 0;
    x.depth = 0;
    x.work = 0;
    // Execute phase first: sets keep insertion order, so its accesses are the first entries.
    const target = this.#deploymentOf(p);
    const run = target?.compiled.functions.get(tx.fn);
    const execEnv = this.#execEnv;
    if (target === undefined || run === undefined || execEnv === undefined) note(x, 2, `no template for ${tx.to}.${tx.fn}`);
    else {
      execEnv.self = target.address;
      execEnv.sender = tx.from;
      execEnv.origin = tx.from;
      execEnv.args = p.args as readonly Val[];
      execEnv.deployment = target;
      this.#run(run, execEnv, this.#shapesOf(target, tx.fn));
    }
    const execReads = x.reads.size;
    const execWrites = x.writes.size;
    // Validate and settlement phases (the sequencer's fee credit is not an access).
    const validateEnv = this.#validateEnv;
    const settleEnv = this.#settleEnv;
    if (validateEnv === undefined || settleEnv === undefined || this.#validate === undefined || this.#settle === undefined) note(x, 2, "no account contract with _validate and _settle");
    else {
      const args = this.#validateArgs;
      args[0] = tx.from;
      args[1] = tx.nonce;
      args[2] = p.hash;
      args[3] = tx.signature;
      args[4] = p.maxFee;
      validateEnv.sender = tx.from;
      validateEnv.origin = tx.from;
      this.#run(this.#validate, validateEnv, this.#validateShapes);
      this.#settleArgs[0] = tx.from;
      this.#run(this.#settle, settleEnv, this.#settleShapes);
    }

    // Merge the declared list; warn where it misses an inferred access of the execute phase.
    let warnings: string[] | undefined;
    let level = x.level;
    const reasons = x.reasons ?? (this.#strict ? [] : NONE);
    let reads = x.reads;
    let writes = x.writes;
    const declared = tx.accessList;
    let declaredWild = false;
    if (declared !== undefined) {
      // Every declared entry found in the inferred set marks the entry it covers (a declared
      // write also covers a read); an execute-phase entry left unmarked is a warning.
      let readsOutside = false;
      let writesOutside = false;
      for (let i = 0; i < declared.reads.length; i++) {
        const l = declared.reads[i]!;
        if (endsInWildcard(l)) declaredWild = true;
        if (!reads.match(l)) readsOutside = true;
      }
      for (let i = 0; i < declared.writes.length; i++) {
        const l = declared.writes[i]!;
        if (endsInWildcard(l)) declaredWild = true;
        if (writes.match(l)) reads.matchEntryOf(writes, writes.lastMatch, l);
        else {
          writesOutside = true;
          reads.match(l);
        }
      }
      const readable = declaredWild ? new LocationMatcher([...declared.reads, ...declared.writes]) : undefined;
      const writable = declaredWild ? new LocationMatcher(declared.writes) : undefined;
      for (let i = 0; i < execReads; i++) {
        if (reads.matched(i) || readable?.has(reads.at(i)) === true) continue;
        (warnings ??= []).push(`tx ${p.index}: the declared list misses the inferred read of ${reads.at(i)}`);
      }
      for (let i = 0; i < execWrites; i++) {
        if (writes.matched(i) || writable?.has(writes.at(i)) === true) continue;
        (warnings ??= []).push(`tx ${p.index}: the declared list misses the inferred write of ${writes.at(i)}`);
      }
      if (readsOutside) {
        reads = reads.clone();
        for (const l of declared.reads) reads.add(l);
      }
      if (writesOutside) {
        writes = writes.clone();
        for (const l of declared.writes) writes.add(l);
      }
      if (level === 2 && this.#strict) {
        level = 1;
        (reasons as string[]).push("the declared list bounds the execute phase (strict enforcement)");
      }
    }
    const cls = CLASSES[level] as AccessClass;
    let feeRecipient: FeeRecipientAccess = "none";
    if (cls === "unknown") feeRecipient = "read-write";
    else if (reads.simple && writes.simple) {
      if (writes.watched) feeRecipient = "read-write";
      else if (reads.watched) feeRecipient = "read";
    } else if (writes.includes(this.#feeLocation) || ((writes.wild || declaredWild) && this.#touches(writes))) feeRecipient = "read-write";
    else if (reads.includes(this.#feeLocation) || ((reads.wild || declaredWild) && this.#touches(reads))) feeRecipient = "read";
    const inferredReads = x.reads.toArray();
    const inferredWrites = x.writes.toArray();
    const gas = Math.min(p.gasLimit, GAS.txBase + execReads * GAS.read + execWrites * GAS.write + x.calls * GAS.call + x.work);
    return {
      index: p.index,
      reads: reads === x.reads ? inferredReads : reads.toArray(),
      writes: writes === x.writes ? inferredWrites : writes.toArray(),
      gas,
      class: cls,
      feeRecipient,
      reasons,
      warnings: warnings ?? NONE,
      inferred: { reads: inferredReads, writes: inferredWrites },
    };
  }

  /**
   * The deployment a transaction calls, found by the runtime's contract object its preparation
   * resolved (an identity lookup) rather than by its `to` string: a block's strings are new to
   * the process, and comparing or hashing one reads all its 42 characters.
   */
  #deploymentOf(p: PreparedTx): Deployment | undefined {
    const contract = p.target;
    if (contract === this.#lastContract) return this.#lastDeployment;
    let d = this.#byContract.get(contract);
    if (d === undefined) {
      d = this.#byAddress.get(p.tx.to);
      if (d === undefined) return undefined;
      this.#byContract.set(contract, d);
    }
    this.#lastContract = contract;
    this.#lastDeployment = d;
    return d;
  }

  /**
   * The shapes of `fn` of deployment `d` (made on first use); undefined for a function without
   * templates, and when shapes are not replayed.
   */
  #shapesOf(d: Deployment, fn: string): CallShapes | undefined {
    if (!this.#replayShapes) return undefined;
    let shapes = d.shapes.get(fn);
    if (shapes === undefined) {
      const deciding = this.#deciding.get(d.compiled.templates)?.get(fn);
      if (deciding === undefined) return undefined;
      d.shapes.set(fn, (shapes = new CallShapes(deciding)));
    }
    return shapes;
  }

  /** Run the call `env` (filled but for its call number): replayed from its shape when one is known. */
  #run(run: FnRunner, env: TopEnv, shapes: CallShapes | undefined): void {
    const x = this.#x;
    if (shapes !== undefined) {
      let shape = shapes.lookup(env);
      if (shape === undefined) {
        shape = this.#record(run, env, shapes);
        shapes.store(shape);
      }
      // The call limits are checked as the calls are followed: replay only what stays under them.
      if (shape !== null && x.calls + shape.calls <= MAX_CALLS) {
        replay(shape, env, x);
        return;
      }
    }
    env.call = nextCall();
    run(env);
  }

  /**
   * Evaluate the call `env` with its free inputs replaced by sentinels, recording the uses of
   * access groups instead of adding them; everything the evaluation changes is put back. Null when
   * the call cannot be replayed (a reason noted, a string entry).
   */
  #record(run: FnRunner, env: TopEnv, shapes: CallShapes): Shape | null {
    const x = this.#x;
    const { sender, origin, args } = env;
    const { level, reasons, checkedKey, calls, work } = x;
    const uses: RecordedUse[] = [];
    env.sender = shapes.isFree(SENDER) ? sentinel(SENDER) : sender;
    env.origin = shapes.isFree(ORIGIN) ? sentinel(ORIGIN) : origin;
    env.args = args.map((v, i) => (shapes.isFree(i) ? sentinel(i) : v));
    x.level = 0;
    x.reasons = undefined;
    x.recording = uses;
    x.spoiled = false;
    try {
      env.call = nextCall();
      run(env);
      return x.reasons === undefined && !x.spoiled ? shapeOf(uses, x.calls - calls, x.work - work) : null;
    } finally {
      env.sender = sender;
      env.origin = origin;
      env.args = args;
      x.level = level;
      x.reasons = reasons;
      x.checkedKey = checkedKey;
      x.calls = calls;
      x.work = work;
      x.recording = undefined;
      x.spoiled = false;
    }
  }

  #touches(locs: LocationList): boolean {
    for (let i = 0; i < locs.size; i++) {
      const l = locs.at(i);
      if (l === this.#feeLocation || (isWildcard(l) && covers(l, this.#feeLocation))) return true;
    }
    return false;
  }

  instantiateBlock(prepared: readonly PreparedTx[]): BlockAccessSetsDetail {
    const warnings: string[] = [];
    const txs = this.#instantiateAll(prepared, warnings);
    return { feeRecipientLocation: this.#feeLocation, txs, warnings };
  }

  /**
   * The block's loop, alone in its function: V8 compiles a long loop while it runs, and code
   * after the loop that has not run yet would throw that compiled code away at the end of every
   * block (the next block would start in the interpreter again).
   */
  #instantiateAll(prepared: readonly PreparedTx[], warnings: string[]): TxAccessSetDetail[] {
    const txs = new Array<TxAccessSetDetail>(prepared.length);
    for (let i = 0; i < prepared.length; i++) {
      const set = this.instantiate(prepared[i]!);
      txs[i] = set;
      const w = set.warnings;
      for (let k = 0; k < w.length; k++) warnings.push(w[k]!);
    }
    return txs;
  }
}

export type { Address };
