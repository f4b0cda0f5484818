/**
 * Shapes: what a call's templates add to a transaction's access set, recorded once per call
 * shape and replayed for every later call of the same shape.
 *
 * Most transactions of a block repeat a handful of calls: a token transfer to some account, a
 * swap of one of the pool's two tokens. Their access sets differ only in the keys that come
 * straight from the call's sender and arguments (`balances/{sender}`, `balances/{to}`); which
 * locations are accessed, under which guards, through which calls to which contracts, is decided
 * by the other inputs (`tokenIn === token0`) and by what is fixed for the block (immutable
 * storage, the block's fields). So a call's inputs split in two:
 *
 * - a *free* input is used only as a whole key of an access, or passed on unchanged as an argument
 *   that is free in every function the call may reach (by name, in any deployed contract). Its
 *   value is copied into locations and never compared, computed with, or called;
 * - every other input *decides*: its value is part of the shape's key.
 *
 * The first call of a shape is evaluated with every free input replaced by a sentinel string, and
 * the uses of the access groups it reaches are recorded in order as (base, key, read, write), the
 * key a template of sentinels and constant parts. A later call of the same shape replays the
 * record with its own values in place of the sentinels, through the same `addPart` calls in the
 * same order — so the lists come out entry for entry as the evaluation would make them
 * (duplicates merged when two free inputs hold the same value, the write taking the read as its
 * partner). A free value that is not a valid key (empty, containing "/", negative) skips its
 * access, as the evaluation does.
 *
 * A record is kept only when it is exact and plain: no reasons noted, no string entries (wildcards,
 * several possible values, names that are not location segments). Anything else is evaluated
 * every time. So is a function whose deciding inputs keep changing (a key-value replay's arrays
 * of keys): recording stops after a few misses that never repeat.
 */
import type { ContractTemplates, FunctionTemplate, Sym } from "./template.js";
import { children, keyString, stringSegment, type CV } from "./symbolic.js";
import type { LocationList } from "./locationList.js";

/** Sources of a call's environment besides its arguments (which are named by their index). */
export const SENDER = -1;
export const SELF = -2;
export const ORIGIN = -3;

/** The source a key or argument reads directly (an argument's index, SENDER, SELF, ORIGIN). */
export function directSource(s: Sym): number | undefined {
  if (s.k === "arg") return s.i;
  if (s.k !== "ctx") return undefined;
  return s.f === "sender" ? SENDER : s.f === "self" ? SELF : s.f === "origin" ? ORIGIN : undefined;
}

/** Every argument, sender or origin `s` depends on (self is fixed by the shape's contract). */
function sourcesOf(s: Sym, out: Set<number>): void {
  if (s.k === "arg" || s.k === "each") out.add(s.i);
  else if (s.k === "ctx" && s.f === "sender") out.add(SENDER);
  else if (s.k === "ctx" && s.f === "origin") out.add(ORIGIN);
  else for (const c of children(s)) sourcesOf(c, out);
}

/** The inputs that decide each function's shape: per templates object, per function name. */
export type DecidingInputs = ReadonlyMap<ContractTemplates, ReadonlyMap<string, ReadonlySet<number>>>;

/**
 * The deciding inputs of every function of the deployed contracts (a fixpoint: an argument passed
 * on to a function that compares it decides the caller too). A call may reach any deployed
 * contract's function of its name: its target is only known per transaction.
 */
export function decidingInputs(deployed: Iterable<ContractTemplates>): DecidingInputs {
  const entries: { templates: ContractTemplates; name: string; fn: FunctionTemplate; deciding: Set<number> }[] = [];
  const byName = new Map<string, Set<number>[]>();
  for (const templates of new Set(deployed)) {
    for (const [name, fn] of Object.entries(templates.functions)) {
      const deciding = new Set<number>();
      for (const a of fn.accesses) {
        for (const k of a.keys) if (directSource(k) === undefined) sourcesOf(k, deciding);
        for (const g of a.guard) sourcesOf(g, deciding);
      }
      for (const c of fn.calls) {
        sourcesOf(c.target, deciding);
        for (const g of c.guard) sourcesOf(g, deciding);
        for (const a of c.args) if (directSource(a) === undefined) sourcesOf(a, deciding);
      }
      for (const w of fn.work ?? []) {
        sourcesOf(w.units, deciding);
        for (const g of w.guard) sourcesOf(g, deciding);
      }
      entries.push({ templates, name, fn, deciding });
      let named = byName.get(name);
      if (named === undefined) byName.set(name, (named = []));
      named.push(deciding);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const { fn, deciding } of entries) {
      const mark = (s: number): void => {
        if (s === SELF || deciding.has(s)) return;
        deciding.add(s);
        changed = true;
      };
      for (const c of fn.calls) {
        const callees = byName.get(c.fn) ?? [];
        c.args.forEach((a, j) => {
          const s = directSource(a);
          if (s !== undefined && callees.some((callee) => callee.has(j))) mark(s);
        });
        // The callee's origin is the caller's.
        if (callees.some((callee) => callee.has(ORIGIN))) mark(ORIGIN);
      }
    }
  }
  const out = new Map<ContractTemplates, Map<string, ReadonlySet<number>>>();
  for (const { templates, name, deciding } of entries) {
    let fns = out.get(templates);
    if (fns === undefined) out.set(templates, (fns = new Map()));
    fns.set(name, deciding);
  }
  return out;
}

/** A key's part: a constant segment, or the source whose value it is. */
type Part = string | number;

/** One use of an access group: `base` + key, read and/or written. */
interface ShapeOp {
  readonly base: number;
  /** The constant key, when no part is a free input. */
  readonly key: string | undefined;
  /** The source of a key that is one free input, else NaN. */
  readonly source: number;
  /** The parts of a key of several segments with a free input among them. */
  readonly parts: readonly Part[] | undefined;
  readonly read: boolean;
  readonly write: boolean;
}

/** What a call of one shape adds: the uses in order, the calls followed and the work units. */
export interface Shape {
  readonly ops: readonly ShapeOp[];
  readonly calls: number;
  readonly work: number;
}

/** A use as the evaluation with sentinels made it (its key with sentinels in it). */
export interface RecordedUse {
  readonly base: number;
  readonly key: string;
  readonly read: boolean;
  readonly write: boolean;
}

/**
 * The sentinels' common prefix: a NUL and random text, so that no constant of a contract or of
 * its immutable storage can contain it (nothing seen before the process started can).
 */
const PREFIX = `\u0000${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}:`;

/** The sentinel string standing for source `s` while a shape is recorded. */
export function sentinel(s: number): string {
  return `${PREFIX}${s}`;
}

function partOf(segment: string): Part {
  return segment.startsWith(PREFIX) ? Number(segment.slice(PREFIX.length)) : segment;
}

/** Turn the uses recorded with sentinels into a shape (key templates over the sources). */
export function shapeOf(uses: readonly RecordedUse[], calls: number, work: number): Shape {
  const ops = uses.map((u): ShapeOp => {
    if (!u.key.includes(PREFIX)) return { base: u.base, key: u.key, source: NaN, parts: undefined, read: u.read, write: u.write };
    const parts = u.key.split("/").map(partOf);
    if (parts.length === 1) return { base: u.base, key: undefined, source: parts[0] as number, parts: undefined, read: u.read, write: u.write };
    return { base: u.base, key: undefined, source: NaN, parts, read: u.read, write: u.write };
  });
  return { ops, calls, work };
}

/** The environment a shape is replayed in: the call's own values of its sources. */
export interface ReplayEnv {
  readonly sender: string;
  readonly origin: string;
  readonly args: readonly CV[];
}

/** The transaction's lists and key check (see TxCtx in instantiate.ts). */
export interface ReplayTarget {
  checkedKey: string | undefined;
  readonly reads: LocationList;
  readonly writes: LocationList;
  calls: number;
  work: number;
}

function sourceValue(env: ReplayEnv, s: number): CV {
  return s === SENDER ? env.sender : s === ORIGIN ? env.origin : env.args[s];
}

/** The key segment a source's value makes, or undefined when it is not a valid key (the access reverts). */
function segment(x: ReplayTarget, v: CV): string | undefined {
  if (typeof v === "string") return stringSegment(x, v);
  return typeof v === "object" ? undefined : keyString(v);
}

/** Add what a call of `shape` adds, with `env`'s values in place of the free inputs. */
export function replay(shape: Shape, env: ReplayEnv, x: ReplayTarget): void {
  const ops = shape.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    let key = op.key;
    if (key === undefined) {
      if (op.parts === undefined) key = segment(x, sourceValue(env, op.source));
      else {
        key = "";
        for (let p = 0; p < op.parts.length; p++) {
          const part = op.parts[p]!;
          const s = typeof part === "string" ? part : segment(x, sourceValue(env, part));
          if (s === undefined) {
            key = undefined;
            break;
          }
          key = p === 0 ? s : `${key}/${s}`;
        }
      }
      if (key === undefined) continue;
    }
    let read = -1;
    if (op.read) read = x.reads.addPart(op.base, key, -1);
    if (op.write) x.writes.addPart(op.base, key, read);
  }
  x.calls += shape.calls;
  x.work += shape.work;
}

/** Shapes recorded per function before recording stops for good, and the misses that stop it early. */
const MAX_SHAPES = 1024;
const MISSES_BEFORE_CHECK = 32;

/**
 * The shapes of one function of one deployment, by the values of its deciding inputs (and the
 * number of arguments: a missing argument is undefined, not a free value).
 */
export class CallShapes {
  /** The deciding inputs among sender, origin and the arguments, in a fixed order. */
  readonly #deciding: readonly number[];
  readonly #decidingSet: ReadonlySet<number>;
  /** With no deciding input: the shape per argument count (null: evaluate every time). */
  readonly #single: (Shape | null | undefined)[] = [];
  /** With one deciding input: by its value (strings and bigints by value, objects by identity), per argument count. */
  readonly #byValue: (Map<CV, Shape | null> | undefined)[] = [];
  /** Otherwise: by an encoding of every deciding value. */
  readonly #byKey = new Map<string, Shape | null>();
  #shapes = 0;
  #lookups = 0;
  #misses = 0;
  #recording = true;
  /** Where the last lookup would store a shape recorded for it. */
  #pendingKey: CV;
  #pendingCount = 0;
  #pendingKind = 0;

  constructor(deciding: ReadonlySet<number>) {
    this.#deciding = [...deciding].filter((s) => s !== SELF).sort((a, b) => a - b);
    this.#decidingSet = deciding;
  }

  /** Whether source `s` is free (replaced by a sentinel while recording). */
  isFree(s: number): boolean {
    return s !== SELF && !this.#decidingSet.has(s);
  }

  /**
   * The shape of the call `env`: a shape to replay, null to evaluate it, undefined when it is
   * not known yet and should be recorded (then `store` keeps the record for this key).
   */
  lookup(env: ReplayEnv): Shape | null | undefined {
    this.#lookups++;
    const count = env.args.length;
    const deciding = this.#deciding;
    let found: Shape | null | undefined;
    if (deciding.length === 0) {
      found = this.#single[count];
      this.#pendingKind = 0;
    } else if (deciding.length === 1) {
      // A Map compares keys by SameValueZero: equal strings, equal bigints, the same object.
      // The same object is the same value (arguments are not mutated), so a hit is always right.
      const v = sourceValue(env, deciding[0]!);
      found = this.#byValue[count]?.get(v);
      this.#pendingKind = 1;
      this.#pendingKey = v;
    } else {
      const key = this.#keyOf(env);
      if (key === undefined) return null;
      found = this.#byKey.get(key);
      this.#pendingKind = 2;
      this.#pendingKey = key;
    }
    this.#pendingCount = count;
    if (found !== undefined) return found;
    this.#misses++;
    if (this.#recording && (this.#shapes >= MAX_SHAPES || (this.#misses > MISSES_BEFORE_CHECK && 2 * this.#misses > this.#lookups))) this.#recording = false;
    return this.#recording ? undefined : null;
  }

  /** Keep `shape` (null: evaluate every time) for the call `lookup` was last asked about. */
  store(shape: Shape | null): void {
    this.#shapes++;
    const count = this.#pendingCount;
    if (this.#pendingKind === 0) this.#single[count] = shape;
    else if (this.#pendingKind === 1) {
      let map = this.#byValue[count];
      if (map === undefined) this.#byValue[count] = map = new Map();
      map.set(this.#pendingKey, shape);
    } else this.#byKey.set(this.#pendingKey as string, shape);
  }

  /** An unambiguous encoding of the argument count and the deciding values, or undefined for values that have none. */
  #keyOf(env: ReplayEnv): string | undefined {
    let key = String(env.args.length);
    for (const s of this.#deciding) {
      const v = sourceValue(env, s);
      switch (typeof v) {
        case "string":
          key += `|s${v.length}:${v}`;
          break;
        case "bigint":
          key += `|b${v}`;
          break;
        case "boolean":
          key += v ? "|t" : "|f";
          break;
        case "undefined":
          key += "|u";
          break;
        default:
          return undefined; // arrays, several values, values not known before the block
      }
    }
    return key;
  }
}
