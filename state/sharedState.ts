/**
 * World state in SharedArrayBuffers, readable and writable from every worker thread without
 * copying. Locations are interned to integer ids in a shared open-addressing hash table; values
 * live in typed arrays indexed by id. The parallel executors run on it; a worker attaches to the
 * same buffers and sees every write once an Atomics operation orders it after the writer's.
 *
 * Concurrency contract: inserting a location takes a spin lock (rare: only first sight of a
 * location); lookups are lock-free (a slot is published with Atomics.store after its key is
 * fully written). Values are plain typed-array reads and writes: the executor guarantees that no
 * two threads touch one location concurrently, and orders writer before reader through Atomics.
 *
 * Over a base (the chain's persistent state, see StateBase) the shared state is a cache of the
 * locations blocks have touched: a location seen for the first time is filled from the base when
 * it is interned, by whichever thread sees it first, so every interned location always holds its
 * current value and nothing is loaded up front. Every write marks its location changed (one byte
 * store, on every state, base or not); the changes since the last commit are what a commit writes
 * and what the state root merges into the base's ordered pairs.
 */
import type { Address, Value } from "../core/types.js";
import { isZeroValue } from "../core/value.js";
import { compareLocations, mergeOrdered, mergedRoot, rootOfEntries } from "./root.js";
import type { StateBase, StateStore } from "./state.js";

const TAG_ZERO = 0;
const TAG_U64 = 1;
const TAG_U256 = 2;
const TAG_ADDRESS = 3;
const TAG_TRUE = 4;
const MASK64 = (1n << 64n) - 1n;

/** Meta words: [lock, count, arenaUsed, generation]. */
const META_LOCK = 0;
const META_COUNT = 1;
const META_ARENA = 2;
/** Bumped when the main thread drops the cache (`resetToBase`): other threads then drop theirs. */
const META_GENERATION = 3;

export interface SharedStateBuffers {
  readonly capacity: number;
  readonly meta: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly hashes: SharedArrayBuffer;
  readonly offsets: SharedArrayBuffer;
  readonly lengths: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
  readonly tags: SharedArrayBuffer;
  readonly limbs: SharedArrayBuffer;
  /** One byte per location: 1 when written since the last `clearChanges`. */
  readonly changed: SharedArrayBuffer;
}

export interface CreateSharedStateParameters {
  /** Most distinct locations the state can ever hold (default 2^22, or $PRESCIENT_STATE_CAPACITY). */
  readonly capacity?: number;
  /** Average location length budgeted in the key arena (default 96 characters). */
  readonly averageLocationLength?: number;
  /** The state under this one: locations not interned yet read from it (see StateBase). */
  readonly base?: StateBase;
}

/** The values of a state's interned locations at one point (see `snapshotValues`). */
export interface ValuesSnapshot {
  readonly count: number;
  readonly tags: Uint8Array;
  readonly limbs: BigUint64Array;
}

/** The value of a slot: its tag, and its four 64-bit limbs at `b`. */
function slotValue(tag: number, l: BigUint64Array, b: number): Value | undefined {
  switch (tag) {
    case TAG_U64:
      return l[b]!;
    case TAG_U256:
      return (l[b + 3]! << 192n) | (l[b + 2]! << 128n) | (l[b + 1]! << 64n) | l[b]!;
    case TAG_ADDRESS:
      return `0x${((l[b + 2]! << 128n) | (l[b + 1]! << 64n) | l[b]!).toString(16).padStart(40, "0")}` as Address;
    case TAG_TRUE:
      return true;
    default:
      return undefined;
  }
}

function hashString(s: string): number {
  // FNV-1a over UTF-16 code units; never 0 so an empty slot is unambiguous.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 1;
}

export class SharedState implements StateStore {
  readonly buffers: SharedStateBuffers;
  readonly #capacity: number;
  readonly #meta: Int32Array;
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #hashes: Int32Array;
  readonly #offsets: Int32Array;
  readonly #lengths: Int32Array;
  readonly #arena: Uint16Array;
  readonly #tags: Uint8Array;
  readonly #limbs: BigUint64Array;
  /** The limbs as 32-bit words: copying a slot through them allocates no BigInt. */
  readonly #words: Uint32Array;
  readonly #changed: Uint8Array;
  readonly #base: StateBase | undefined;
  /** The cache generation this thread's caches below belong to. */
  #generation: number;
  /** This thread's cache of location → id, in front of the shared table. */
  readonly #ids = new Map<string, number>();
  /** This thread's cache of id → location string. */
  readonly #locations: (string | undefined)[] = [];

  private constructor(buffers: SharedStateBuffers, base: StateBase | undefined) {
    this.buffers = buffers;
    this.#capacity = buffers.capacity;
    this.#meta = new Int32Array(buffers.meta);
    this.#slots = new Int32Array(buffers.slots);
    this.#mask = this.#slots.length - 1;
    this.#hashes = new Int32Array(buffers.hashes);
    this.#offsets = new Int32Array(buffers.offsets);
    this.#lengths = new Int32Array(buffers.lengths);
    this.#arena = new Uint16Array(buffers.arena);
    this.#tags = new Uint8Array(buffers.tags);
    this.#limbs = new BigUint64Array(buffers.limbs);
    this.#words = new Uint32Array(buffers.limbs);
    this.#changed = new Uint8Array(buffers.changed);
    this.#base = base;
    this.#generation = Atomics.load(this.#meta, META_GENERATION);
  }

  /** The state under this one, if any. */
  get base(): StateBase | undefined {
    return this.#base;
  }

  /** Words per saved slot: the tag and eight 32-bit limb words. */
  static readonly SLOT_WORDS = 9;

  /** Copy slot `id` (tag and raw limbs) into `out` at `at`, without decoding it. */
  saveSlot(id: number, out: Uint32Array, at: number): void {
    out[at] = this.#tags[id]!;
    const w = this.#words;
    const b = id * 8;
    for (let k = 0; k < 8; k++) out[at + 1 + k] = w[b + k]!;
  }

  /** Put back a slot saved by `saveSlot`. */
  restoreSlot(id: number, saved: Uint32Array, at: number): void {
    this.#changed[id] = 1;
    const w = this.#words;
    const b = id * 8;
    for (let k = 0; k < 8; k++) w[b + k] = saved[at + 1 + k]!;
    this.#tags[id] = saved[at]!;
  }

  static create(parameters: CreateSharedStateParameters = {}): SharedState {
    const capacity = parameters.capacity ?? Number(process.env.PRESCIENT_STATE_CAPACITY ?? 1 << 22);
    if (!Number.isInteger(capacity) || capacity < 16 || capacity > 1 << 28) throw new RangeError(`state capacity must be an integer in [16, 2^28], got ${capacity}`);
    let slotCount = 1;
    while (slotCount < capacity * 2) slotCount *= 2;
    const arenaChars = Math.min(2 ** 31 - 1, capacity * (parameters.averageLocationLength ?? 96));
    // SharedArrayBuffers are zero-filled lazily by the OS: an unused capacity costs address space, not memory.
    return new SharedState({
      capacity,
      meta: new SharedArrayBuffer(16),
      slots: new SharedArrayBuffer(slotCount * 4),
      hashes: new SharedArrayBuffer(capacity * 4),
      offsets: new SharedArrayBuffer(capacity * 4),
      lengths: new SharedArrayBuffer(capacity * 4),
      arena: new SharedArrayBuffer(arenaChars * 2),
      tags: new SharedArrayBuffer(capacity),
      limbs: new SharedArrayBuffer(capacity * 32),
      changed: new SharedArrayBuffer(capacity),
    }, parameters.base);
  }

  /** The same state, seen from another thread (which opens its own reader of the base, if any). */
  static attach(buffers: SharedStateBuffers, base?: StateBase): SharedState {
    return new SharedState(buffers, base);
  }

  /** A state holding `entries`, with no changes recorded. */
  static fromEntries(entries: Iterable<readonly [string, Value]>, parameters: CreateSharedStateParameters = {}): SharedState {
    const state = SharedState.create(parameters);
    for (const [loc, value] of entries) state.set(loc, value);
    state.clearChanges();
    return state;
  }

  /** Number of interned locations (holding a value or not). */
  get interned(): number {
    return Atomics.load(this.#meta, META_COUNT);
  }

  get size(): number {
    if (this.#base !== undefined) {
      let n = this.#base.size;
      for (const [loc, value] of this.changes()) n += (value === undefined ? 0 : 1) - (this.#base.get(loc) === undefined ? 0 : 1);
      return n;
    }
    let n = 0;
    const count = this.interned;
    for (let id = 0; id < count; id++) if (this.#tags[id] !== TAG_ZERO) n++;
    return n;
  }

  #equals(id: number, loc: string): boolean {
    if (this.#lengths[id] !== loc.length) return false;
    const offset = this.#offsets[id]!;
    const arena = this.#arena;
    for (let i = 0; i < loc.length; i++) if (arena[offset + i] !== loc.charCodeAt(i)) return false;
    return true;
  }

  #probe(loc: string, hash: number): number {
    let i = hash & this.#mask;
    for (;;) {
      const slot = Atomics.load(this.#slots, i);
      if (slot === 0) return -1 - i; // not found: encode the empty slot
      const id = slot - 1;
      if (this.#hashes[id] === hash && this.#equals(id, loc)) return id;
      i = (i + 1) & this.#mask;
    }
  }

  /** The id of `loc`, or -1 when no thread has interned it yet. */
  find(loc: string): number {
    const cached = this.#ids.get(loc);
    if (cached !== undefined) return cached;
    const id = this.#probe(loc, hashString(loc));
    if (id >= 0) {
      this.#ids.set(loc, id);
      this.#locations[id] = loc;
    }
    return id;
  }

  /** The id of `loc`, interning it if needed (and filling it from the base). */
  intern(loc: string): number {
    const found = this.find(loc);
    if (found >= 0) return found;
    const hash = hashString(loc);
    // Read outside the lock: the base does not change while blocks run, and a read takes microseconds.
    const initial = this.#base?.get(loc);
    // Spin: the critical section is a few hundred nanoseconds and only first sight of a location enters it.
    while (Atomics.compareExchange(this.#meta, META_LOCK, 0, 1) !== 0) {
      // another thread is inserting
    }
    try {
      const probed = this.#probe(loc, hash);
      if (probed >= 0) {
        this.#ids.set(loc, probed);
        this.#locations[probed] = loc;
        return probed;
      }
      const id = this.#meta[META_COUNT]!;
      const offset = this.#meta[META_ARENA]!;
      if (id >= this.#capacity || offset + loc.length > this.#arena.length) {
        throw new RangeError(`shared state is full (${id} locations); raise PRESCIENT_STATE_CAPACITY`);
      }
      for (let i = 0; i < loc.length; i++) this.#arena[offset + i] = loc.charCodeAt(i);
      // Filling is not a change; no other thread can see the id before it is published below.
      this.setById(id, initial);
      this.#changed[id] = 0;
      this.#hashes[id] = hash;
      this.#offsets[id] = offset;
      this.#lengths[id] = loc.length;
      this.#meta[META_ARENA] = offset + loc.length;
      Atomics.store(this.#meta, META_COUNT, id + 1);
      // Publishing the slot last: a lock-free reader that sees it sees a complete key.
      Atomics.store(this.#slots, -1 - probed, id + 1);
      this.#ids.set(loc, id);
      this.#locations[id] = loc;
      return id;
    } finally {
      Atomics.store(this.#meta, META_LOCK, 0);
    }
  }

  locationOf(id: number): string {
    let loc = this.#locations[id];
    if (loc === undefined) {
      const offset = this.#offsets[id]!;
      loc = String.fromCharCode(...this.#arena.subarray(offset, offset + this.#lengths[id]!));
      this.#locations[id] = loc;
    }
    return loc;
  }

  getById(id: number): Value | undefined {
    return slotValue(this.#tags[id]!, this.#limbs, id * 4);
  }

  /**
   * The value `loc` held when `snapshot` was taken: reads of the state before a block while the
   * block runs. (For a state without a base: a location interned since then held zero.)
   */
  valueBefore(snapshot: ValuesSnapshot, loc: string): Value | undefined {
    const id = this.find(loc);
    if (id < 0 || id >= snapshot.count) return this.#base?.get(loc);
    return slotValue(snapshot.tags[id]!, snapshot.limbs, id * 4);
  }

  setById(id: number, value: Value | undefined): void {
    this.#changed[id] = 1;
    if (value === undefined || isZeroValue(value)) {
      this.#tags[id] = TAG_ZERO;
      return;
    }
    const b = id * 4;
    if (typeof value === "bigint") {
      if (value <= MASK64) {
        this.#limbs[b] = value;
        this.#tags[id] = TAG_U64;
      } else {
        this.#limbs[b] = value & MASK64;
        this.#limbs[b + 1] = (value >> 64n) & MASK64;
        this.#limbs[b + 2] = (value >> 128n) & MASK64;
        this.#limbs[b + 3] = value >> 192n;
        this.#tags[id] = TAG_U256;
      }
    } else if (value === true) {
      this.#tags[id] = TAG_TRUE;
    } else {
      const n = BigInt(value);
      this.#limbs[b] = n & MASK64;
      this.#limbs[b + 1] = (n >> 64n) & MASK64;
      this.#limbs[b + 2] = n >> 128n;
      this.#tags[id] = TAG_ADDRESS;
    }
  }

  get(loc: string): Value | undefined {
    const id = this.find(loc);
    if (id >= 0) return this.getById(id);
    return this.#base === undefined ? undefined : this.getById(this.intern(loc));
  }

  set(loc: string, value: Value | undefined): void {
    if (value === undefined || isZeroValue(value)) {
      // Clearing a location the base holds is a change; clearing one nobody holds is nothing.
      const id = this.#base === undefined ? this.find(loc) : this.intern(loc);
      if (id >= 0) {
        this.#changed[id] = 1;
        this.#tags[id] = TAG_ZERO;
      }
      return;
    }
    this.setById(this.intern(loc), value);
  }

  /**
   * Every location written since the last `clearChanges`, with its value now (undefined when
   * zero), in location order. A location written back to its old value may be listed.
   */
  changes(): [string, Value | undefined][] {
    const out: [string, Value | undefined][] = [];
    const count = this.interned;
    const changed = this.#changed;
    for (let id = changed.indexOf(1); id >= 0 && id < count; id = changed.indexOf(1, id + 1)) out.push([this.locationOf(id), this.getById(id)]);
    out.sort((a, b) => compareLocations(a[0], b[0]));
    return out;
  }

  /** Forget the recorded changes (they were committed). */
  clearChanges(): void {
    this.#changed.fill(0, 0, this.interned);
  }

  /**
   * Drop every cached location and every change not committed: the state is the base again, and
   * blocks read from it afresh. Main thread only, with no block running; other threads drop their
   * caches in `sync` before their next task. Recovers from a block that failed halfway, and keeps
   * a long-running chain's cache within its capacity.
   */
  resetToBase(): void {
    if (this.#base === undefined) throw new Error("only a state over a base can drop its cache");
    const count = this.interned;
    new Int32Array(this.buffers.slots).fill(0);
    this.#tags.fill(TAG_ZERO, 0, count);
    this.#changed.fill(0, 0, count);
    Atomics.store(this.#meta, META_ARENA, 0);
    Atomics.store(this.#meta, META_COUNT, 0);
    this.#generation = Atomics.add(this.#meta, META_GENERATION, 1) + 1;
    this.#ids.clear();
    this.#locations.length = 0;
    this.#base.refresh();
  }

  /** Before a task on another thread: drop this thread's caches if the main thread reset the state. */
  sync(): void {
    const generation = Atomics.load(this.#meta, META_GENERATION);
    if (generation === this.#generation) return;
    this.#generation = generation;
    this.#ids.clear();
    this.#locations.length = 0;
    this.#base?.refresh();
  }

  *entries(): IterableIterator<[string, Value]> {
    if (this.#base !== undefined) {
      for (const [loc, value] of mergeOrdered<Value>(this.#base.entries(), this.changes(), (v) => v)) yield [loc, value];
      return;
    }
    const count = this.interned;
    for (let id = 0; id < count; id++) {
      if (this.#tags[id] === TAG_ZERO) continue;
      yield [this.locationOf(id), this.getById(id)!];
    }
  }

  /** A copy in fresh buffers (the same ids, the same base). */
  clone(): SharedState {
    const b = this.buffers;
    const copy = (sab: SharedArrayBuffer) => {
      const out = new SharedArrayBuffer(sab.byteLength);
      new Uint8Array(out).set(new Uint8Array(sab));
      return out;
    };
    return new SharedState({
      capacity: b.capacity,
      meta: copy(b.meta),
      slots: copy(b.slots),
      hashes: copy(b.hashes),
      offsets: copy(b.offsets),
      lengths: copy(b.lengths),
      arena: copy(b.arena),
      tags: copy(b.tags),
      limbs: copy(b.limbs),
      changed: copy(b.changed),
    }, this.#base);
  }

  /** The values of every interned location (cheap: two typed-array copies), to restore later. */
  snapshotValues(): ValuesSnapshot {
    const count = this.interned;
    return { count, tags: this.#tags.slice(0, count), limbs: this.#limbs.slice(0, count * 4) };
  }

  /** Restore values saved by `snapshotValues`; locations interned since then read as before (zero, or the base's value). */
  restoreValues(snapshot: ValuesSnapshot): void {
    this.#tags.set(snapshot.tags);
    this.#limbs.set(snapshot.limbs);
    const count = this.interned;
    if (this.#base === undefined) this.#tags.fill(TAG_ZERO, snapshot.count, count);
    else for (let id = snapshot.count; id < count; id++) this.setById(id, this.#base.get(this.locationOf(id)));
  }

  /** The state root; over a base, the base's ordered pairs merged with the changes (no sort of the whole state). */
  root(): string {
    if (this.#base === undefined) return rootOfEntries(this.entries());
    return mergedRoot(this.#base.rootEntries(), this.changes());
  }
}

/*
 * A value as a raw slot of SharedState.SLOT_WORDS words (the tag, then the 256-bit limbs as eight
 * little-endian 32-bit words): the layout `saveSlot` writes and `restoreSlot` reads. Multi-version
 * memory keeps its versions in this form, so the final values are copied into the state raw.
 */
const slotLimbs = new BigUint64Array(4);
const slotWords = new Uint32Array(slotLimbs.buffer);

/** Write `value` into `out` at `at` as a raw slot. */
export function encodeSlot(value: Value | undefined, out: Uint32Array, at: number): void {
  slotLimbs.fill(0n);
  let tag = TAG_ZERO;
  if (value === undefined || isZeroValue(value)) {
    tag = TAG_ZERO;
  } else if (typeof value === "bigint") {
    if (value <= MASK64) {
      slotLimbs[0] = value;
      tag = TAG_U64;
    } else {
      slotLimbs[0] = value & MASK64;
      slotLimbs[1] = (value >> 64n) & MASK64;
      slotLimbs[2] = (value >> 128n) & MASK64;
      slotLimbs[3] = value >> 192n;
      tag = TAG_U256;
    }
  } else if (value === true) {
    tag = TAG_TRUE;
  } else {
    const n = BigInt(value);
    slotLimbs[0] = n & MASK64;
    slotLimbs[1] = (n >> 64n) & MASK64;
    slotLimbs[2] = n >> 128n;
    tag = TAG_ADDRESS;
  }
  out[at] = tag;
  for (let k = 0; k < 8; k++) out[at + 1 + k] = slotWords[k]!;
}

/** The value of a raw slot written by `encodeSlot` or `saveSlot`. */
export function decodeSlot(words: Uint32Array, at: number): Value | undefined {
  const tag = words[at];
  if (tag === TAG_ZERO) return undefined;
  if (tag === TAG_TRUE) return true;
  for (let k = 0; k < 8; k++) slotWords[k] = words[at + 1 + k]!;
  const l = slotLimbs;
  switch (tag) {
    case TAG_U64:
      return l[0]!;
    case TAG_U256:
      return (l[3]! << 192n) | (l[2]! << 128n) | (l[1]! << 64n) | l[0]!;
    case TAG_ADDRESS:
      return `0x${((l[2]! << 128n) | (l[1]! << 64n) | l[0]!).toString(16).padStart(40, "0")}` as Address;
    default:
      return undefined;
  }
}
