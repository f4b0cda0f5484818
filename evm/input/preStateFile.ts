/**
 * Reading a pre-state: a pevm snapshot (`{ "<address>": { "basic": { "balance", "nonce" },
 * "code": null | { "bytecode", "original_len" }, "code_hash", "storage" } }`, data/mainnet-blocks
 * README) or a geth genesis (`{ "alloc": { "<address>": { "balance", "nonce"?, "code"?,
 * "storage"? } } }`, or the alloc object alone). Files may be `.json` or `.json.gz`.
 */
import { hexToBytes, bytesToBigInt } from "@ethereumjs/util";
import { readJsonFile } from "../../core/schema.js";
import { CodeStore } from "../state/codeStore.js";
import { canonicalSlot } from "../state/locations.js";
import { PreState, type PreAccount } from "../state/preState.js";
import { InputReader } from "./jsonInput.js";

export function readPreStateFile(file: string): PreState {
  return parsePreState(readJsonFile(file), file);
}

/** A parsed JSON pre-state of either kind (told apart by its shape). */
export function parsePreState(json: unknown, file?: string): PreState {
  const r: InputReader = new InputReader(file);
  const root = r.object(json, "(root)");
  if ("alloc" in root) return parseAlloc(r.object(root.alloc, "alloc"), r, "alloc");
  const first = Object.values(root)[0];
  if (typeof first === "object" && first !== null && !("basic" in first) && "balance" in first) return parseAlloc(root, r, "");
  return parseSnapshot(root, r);
}

function parseStorage(json: unknown, r: InputReader, field: string): Map<string, bigint> {
  const storage = new Map<string, bigint>();
  if (json === undefined || json === null) return storage;
  for (const [key, value] of Object.entries(r.object(json, field))) {
    const slot = r.quantity(key, `${field}.${key}`);
    storage.set(canonicalSlot(`0x${slot.toString(16)}`), r.quantity(value, `${field}.${key}`));
  }
  return storage;
}

function parseSnapshot(root: Record<string, unknown>, r: InputReader): PreState {
  const codes = new CodeStore();
  const accounts = new Map<string, PreAccount>();
  for (const [key, entry] of Object.entries(root)) {
    const address = r.address(key, key);
    const account = r.object(entry, address);
    const basic = r.object(account.basic, `${address}.basic`);
    const balance = r.quantity(basic.balance, `${address}.basic.balance`, { number: true });
    const nonce = r.quantity(basic.nonce, `${address}.basic.nonce`, { number: true });
    if (nonce >= 1n << 64n) r.fail(`${address}.basic.nonce`, "does not fit in 64 bits");
    let codeHash = 0n;
    if (account.code !== null && account.code !== undefined) {
      const code = r.object(account.code, `${address}.code`);
      const bytecode = r.bytes(code.bytecode, `${address}.code.bytecode`);
      // revm pads analysed code with zeros; `original_len` says where the code ends.
      const length = code.original_len === undefined ? (bytecode.length - 2) / 2 : Number(r.quantity(code.original_len, `${address}.code.original_len`, { decimal: true, number: true }));
      if (length > (bytecode.length - 2) / 2) r.fail(`${address}.code.original_len`, `is ${length}, but the bytecode has ${(bytecode.length - 2) / 2} bytes`);
      if (length > 0) {
        const entryHash = codes.add(hexToBytes(bytecode.slice(0, 2 + 2 * length) as `0x${string}`));
        if (account.code_hash !== null && account.code_hash !== undefined) {
          const declared = bytesToBigInt(hexToBytes(r.bytes(account.code_hash, `${address}.code_hash`, 32) as `0x${string}`));
          if (declared !== entryHash.hash) r.fail(`${address}.code_hash`, "is not the keccak-256 hash of the code");
        }
        codeHash = entryHash.hash;
      }
    } else if (account.code_hash !== null && account.code_hash !== undefined) {
      r.fail(`${address}.code`, "is null, but code_hash names code: the snapshot lacks this account's code");
    }
    accounts.set(address, { balance, nonce, codeHash, storage: parseStorage(account.storage, r, `${address}.storage`) });
  }
  return new PreState("snapshot", r.file, accounts, codes);
}

function parseAlloc(alloc: Record<string, unknown>, r: InputReader, prefix: string): PreState {
  const codes = new CodeStore();
  const accounts = new Map<string, PreAccount>();
  for (const [key, entry] of Object.entries(alloc)) {
    const address = r.address(key.startsWith("0x") ? key : `0x${key}`, `${prefix}.${key}`);
    const where = `${prefix}.${key}`;
    const account = r.object(entry, where);
    const balance = r.quantity(account.balance ?? "0x0", `${where}.balance`, { decimal: true });
    const nonce = r.quantity(account.nonce ?? "0x0", `${where}.nonce`, { decimal: true, number: true });
    if (nonce >= 1n << 64n) r.fail(`${where}.nonce`, "does not fit in 64 bits");
    let codeHash = 0n;
    if (account.code !== undefined && account.code !== null) {
      const code = r.bytes(account.code, `${where}.code`);
      if (code.length > 2) codeHash = codes.add(hexToBytes(code as `0x${string}`)).hash;
    }
    accounts.set(address, { balance, nonce, codeHash, storage: parseStorage(account.storage, r, `${where}.storage`) });
  }
  return new PreState("alloc", r.file, accounts, codes);
}
