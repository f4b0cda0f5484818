/**
 * Structurally plausible mutations of valid JSON documents, for fuzzing the input parsers: a
 * document keeps its shape but one to three of its fields are deleted, replaced by values that
 * sit on the edges of what parsers accept (signs, exponents, hex, case, lengths, u256 and u64
 * bounds, deep nesting, prototype keys), gain unknown siblings, or have their strings nudged.
 */
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MAX_U256 = (1n << 256n) - 1n;

/** An array nested `depth` deep: recursive validators must not overflow the stack on it. */
export function deepArray(depth: number): Json {
  let v: Json = "x";
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values on the edges of what the parsers accept. */
export const edgeValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -0,
    "",
    " ",
    "0",
    "-0",
    "-1",
    "01",
    "1e3",
    "1.0",
    "+1",
    " 1",
    "1 ",
    "0x10",
    "١",
    MAX_U256.toString(),
    (MAX_U256 + 1n).toString(),
    (1n << 64n).toString(),
    ((1n << 64n) - 1n).toString(),
    (2n ** 53n + 1n).toString(),
    "9".repeat(200),
    `0x${"a".repeat(40)}`,
    `0x${"A".repeat(40)}`,
    `0x${"a".repeat(39)}`,
    `0x${"a".repeat(41)}`,
    `0x${"0".repeat(40)}`,
    `0x${"0".repeat(128)}`,
    `0x${"f".repeat(64)}`,
    "account",
    "token",
    "kv",
    "../../../etc/passwd",
    "/",
    "*",
    "a/*",
    "/*",
    "a//b",
    "__proto__",
    "constructor",
    "\u0000",
    "é",
    "x".repeat(5000),
    [],
    {},
    [[]],
    [null],
    { __proto__: null } as unknown as Json,
    deepArray(3000),
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }).map((n) => n.toString()),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const edgeKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "prototype", "", "txs", "extra"), fc.string({ maxLength: 8 }));

type Path = (string | number)[];

function paths(doc: Json, at: Path = [], out: Path[] = [], limit = 4000): Path[] {
  if (out.length >= limit) return out;
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...at, i], out, limit));
  else if (doc !== null && typeof doc === "object") for (const k of Object.keys(doc)) paths(doc[k]!, [...at, k], out, limit);
  return out;
}

function clone(doc: Json): Json {
  return JSON.parse(JSON.stringify(doc)) as Json;
}

type Op =
  | { readonly kind: "delete" }
  | { readonly kind: "replace"; readonly value: Json }
  | { readonly kind: "addKey"; readonly key: string; readonly value: Json }
  | { readonly kind: "duplicate" }
  | { readonly kind: "nudge"; readonly how: number; readonly char: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Op>({ kind: "delete" }) },
  { weight: 5, arbitrary: edgeValue.map((value): Op => ({ kind: "replace", value })) },
  { weight: 1, arbitrary: fc.tuple(edgeKey, edgeValue).map(([key, value]): Op => ({ kind: "addKey", key, value })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "duplicate" }) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(7), fc.constantFrom("-", "0", "9", "a", "A", "/", " ", "x", "*", "é")).map(([how, char]): Op => ({ kind: "nudge", how, char })) },
);

/** A string changed a little: a character added, removed or swapped, case flipped, a sign. */
function nudge(s: string, how: number, char: string): string {
  switch (how) {
    case 0:
      return char + s;
    case 1:
      return s + char;
    case 2:
      return s.slice(1);
    case 3:
      return s.slice(0, -1);
    case 4:
      return s.toUpperCase();
    case 5:
      return `-${s}`;
    case 6:
      return s.slice(0, Math.floor(s.length / 2)) + char + s.slice(Math.floor(s.length / 2) + 1);
    default:
      return `${s}${s}`;
  }
}

function apply(doc: Json, path: Path, o: Op): Json {
  if (path.length === 0) return o.kind === "replace" ? o.value : doc;
  let parent: Json = doc;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step]!;
  const last = path[path.length - 1]!;
  const container = parent as Record<string | number, Json> & Json[];
  const current = container[last]!;
  switch (o.kind) {
    case "delete":
      if (Array.isArray(container)) container.splice(last as number, 1);
      else delete container[last];
      break;
    case "replace":
      container[last] = o.value;
      break;
    case "addKey":
      if (current !== null && typeof current === "object" && !Array.isArray(current)) Object.defineProperty(current, o.key, { value: o.value, enumerable: true, writable: true, configurable: true });
      else container[last] = o.value;
      break;
    case "duplicate":
      if (Array.isArray(container)) container.splice(last as number, 0, clone(current));
      else if (Array.isArray(current)) current.push(...current.slice(0, 1).map(clone));
      break;
    case "nudge":
      if (typeof current === "string") container[last] = nudge(current, o.how, o.char);
      else if (typeof current === "number") container[last] = String(current);
      else if (typeof current === "boolean") container[last] = current ? "true" : 0;
      break;
  }
  return doc;
}

/** One to three mutations of `doc`, at paths chosen among all of its fields. */
export function mutated(doc: Json): fc.Arbitrary<Json> {
  const all = paths(doc);
  return fc.array(fc.tuple(fc.nat(all.length - 1), op), { minLength: 1, maxLength: 3 }).map((ops) => {
    let out = clone(doc);
    for (const [i, o] of ops) {
      const live = paths(out);
      out = apply(out, live[i % live.length]!, o);
    }
    return out;
  });
}

/** Text-level damage to a JSON document: truncated, a byte inserted, a BOM, trailing garbage. */
export function damagedText(text: string): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(text.length), fc.constantFrom("truncate", "insert", "bom", "trailing", "empty", "nesting"), fc.string({ minLength: 1, maxLength: 3 })).map(([at, how, junk]) => {
    switch (how) {
      case "truncate":
        return text.slice(0, at);
      case "insert":
        return text.slice(0, at) + junk + text.slice(at);
      case "bom":
        return `\uFEFF${text}`;
      case "trailing":
        return `${text}${junk}`;
      case "empty":
        return "";
      default:
        return "[".repeat(100_000);
    }
  });
}
