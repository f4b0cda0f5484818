/**
 * Input validation for the JSON files prescient reads: blocks, transactions and genesis. Every
 * error names the file and the field (and so the tx index): `block.json: txs[3].gasLimit: …`.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { InputError, showInput } from "./errors.js";
import type { AccessList, Address, Block, Genesis, GenesisAccount, GenesisContract, RawArg, Tx, Value } from "./types.js";
import { MAX_U256, isAddress, isDecimal, valueFromJson } from "./value.js";

// Each check stops the ones after it (zod runs every refinement otherwise): BigInt must only ever
// see a decimal string of at most 78 digits (u256's), never "lots" or a million digits.
const u256 = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : `expected a decimal string, got ${showInput(issue.input)}`) })
  .refine((s) => !s.startsWith("-"), { error: "cannot be negative", abort: true })
  .refine(isDecimal, { error: (issue) => `expected a decimal string, got ${showInput(issue.input)}`, abort: true })
  .refine((s) => s.length <= 78 && BigInt(s) <= MAX_U256, { error: "overflows u256", abort: true })
  .transform((s) => BigInt(s))
  .meta({ description: "an unsigned 256-bit integer as a decimal string", pattern: "^[0-9]{1,78}$" });

const u64 = u256.refine((n) => n < 1n << 64n, { error: "does not fit in 64 bits" }).meta({ description: "an unsigned 64-bit integer as a decimal string", pattern: "^[0-9]{1,20}$" });

const address = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : `expected an address, got ${showInput(issue.input)}`) })
  .refine(isAddress, { error: (issue) => `expected a lower-case 0x-prefixed 20-byte address, got ${showInput(issue.input)}` })
  .transform((s) => s as Address)
  .meta({ description: "a lower-case 0x-prefixed 20-byte address", pattern: "^0x[0-9a-f]{40}$" });

const hex = (bytes: number) =>
  z.string({ error: (issue) => (issue.input === undefined ? "is required" : `expected 0x-prefixed hex, got ${showInput(issue.input)}`) }).regex(new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`), {
    error: `expected 0x followed by ${bytes * 2} lower-case hex digits`,
  });

/** Arguments nest arrays at most this deep: a deeper document would be validated recursively, past the stack. */
const MAX_ARG_DEPTH = 16;

/** The first thing in `value` that is not an argument (string, boolean, array of arguments), walking iteratively. */
function argIssue(value: unknown): { readonly path: number[]; readonly message: string } | undefined {
  const stack: [unknown, number[]][] = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string" || typeof v === "boolean") continue;
    if (!Array.isArray(v)) return { path, message: `expected a string, a boolean or an array, got ${showInput(v)}` };
    if (path.length >= MAX_ARG_DEPTH) return { path, message: `arrays in arguments nest at most ${MAX_ARG_DEPTH} deep` };
    for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i]]);
  }
  return undefined;
}

const rawArg = z
  .unknown()
  .superRefine((value, ctx) => {
    const issue = argIssue(value);
    if (issue !== undefined) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  })
  .meta({ description: `a string, a boolean, or an array of arguments (nested at most ${MAX_ARG_DEPTH} deep)` }) as unknown as z.ZodType<RawArg>;

const location = z.string().min(1, { error: "a location cannot be empty" }).meta({ description: "a location: contract/var[/key…]; a trailing /* covers a prefix" });

const accessList = z.strictObject({ reads: z.array(location), writes: z.array(location) });

const tx = z.strictObject({
  from: address,
  nonce: u64,
  to: address,
  fn: z.string({ error: "is required" }).min(1, { error: "cannot be empty" }),
  args: z.array(rawArg, { error: (issue) => (issue.input === undefined ? "is required" : "expected an array") }),
  gasLimit: u64,
  gasPrice: u256,
  accessList: accessList.optional(),
  signature: hex(64),
});

const block = z.strictObject({
  number: u64,
  timestamp: u64,
  sequencer: address,
  baseFee: u256,
  txs: z.array(tx, { error: (issue) => (issue.input === undefined ? "is required" : "expected an array of transactions") }),
});

const storageValue = z.union([z.string(), z.boolean()]).transform((json, ctx) => {
  const value = valueFromJson(json);
  if (value === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a u256 decimal string, an address or a boolean, got ${showInput(json)}` });
    return z.NEVER;
  }
  return value;
});

const genesisContract = z.strictObject({
  address,
  contract: z.string({ error: "is required" }).min(1),
  storage: z.record(z.string().min(1), storageValue).default({}),
});

const genesisAccount = z.strictObject({
  address,
  publicKey: hex(32).optional(),
  balance: u256.default(0n),
  nonce: u64.default(0n),
});

const genesis = z.strictObject({
  contracts: z.array(genesisContract).default([]),
  accounts: z.array(genesisAccount).default([]),
});

/** The schemas behind parseBlock and parseTx, for documents that describe them (the service's OpenAPI). */
export { block as blockSchema, tx as txSchema };


function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out;
}

/** `unknown field(s) "a", "b"`, naming at most five. */
export function unknownFields(keys: readonly string[]): string {
  const named = keys.slice(0, 5).map((k) => showInput(k, 40));
  return `unknown field(s) ${named.join(", ")}${keys.length > 5 ? ` and ${keys.length - 5} more` : ""}`;
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, file: string | undefined, what: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldPath(issue.path);
  const txIndex = issue.path[0] === "txs" && typeof issue.path[1] === "number" ? issue.path[1] : undefined;
  let message = issue.message;
  if (issue.code === "unrecognized_keys") message = unknownFields(issue.keys);
  throw new InputError(message, {
    ...(file !== undefined ? { file } : {}),
    ...(txIndex !== undefined ? { txIndex } : {}),
    field: field === "" ? what : field,
  });
}

/** Parse JSON text; a syntax error becomes an InputError naming the file. */
export function parseJsonText(text: string, file: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`malformed JSON: ${(error as Error).message}`, file !== undefined ? { file } : {});
  }
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    const bytes = readFileSync(file);
    text = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? "no such file" : `cannot read: ${(error as Error).message}`, { file });
  }
  return parseJsonText(text, file);
}

export function parseBlock(json: unknown, file?: string): Block {
  return parseWith(block, json, file, "block") as Block;
}

export function parseTx(json: unknown, file?: string, field = "tx"): Tx {
  return parseWith(tx, json, file, field) as Tx;
}

export function parseGenesis(json: unknown, file?: string): Genesis {
  const parsed = parseWith(genesis, json, file, "genesis");
  return {
    contracts: parsed.contracts.map((c): GenesisContract => ({ address: c.address, contract: c.contract, storage: c.storage as Record<string, Value> })),
    accounts: parsed.accounts.map(
      (a): GenesisAccount => ({ address: a.address, balance: a.balance, nonce: a.nonce, ...(a.publicKey !== undefined ? { publicKey: a.publicKey } : {}) }),
    ),
  };
}

/** The JSON form of a transaction (bigints as decimal strings). */
export function txToJson(t: Tx): Record<string, unknown> {
  return {
    from: t.from,
    nonce: t.nonce.toString(),
    to: t.to,
    fn: t.fn,
    args: t.args,
    gasLimit: t.gasLimit.toString(),
    gasPrice: t.gasPrice.toString(),
    ...(t.accessList !== undefined ? { accessList: { reads: t.accessList.reads, writes: t.accessList.writes } satisfies AccessList } : {}),
    signature: t.signature,
  };
}

export function blockToJson(b: Block): Record<string, unknown> {
  return {
    number: b.number.toString(),
    timestamp: b.timestamp.toString(),
    sequencer: b.sequencer,
    baseFee: b.baseFee.toString(),
    txs: b.txs.map(txToJson),
  };
}
