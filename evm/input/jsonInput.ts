/**
 * Small checks shared by the EVM input readers: hex quantities and byte strings, each failing
 * with an InputError that names the file and the field.
 */
import { InputError, showInput } from "../../core/errors.js";

const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/;
/** Leading zeros are tolerated in data files (`0x0001`), never an empty or non-hex string. */
const LOOSE_QUANTITY = /^0x[0-9a-fA-F]+$/;
const BYTES = /^0x([0-9a-fA-F]{2})*$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export class InputReader {
  readonly file: string | undefined;
  /** The transaction the fields read through this reader belong to, if any. */
  readonly txIndex: number | undefined;

  constructor(file: string | undefined, txIndex?: number) {
    this.file = file;
    this.txIndex = txIndex;
  }

  /** The same reader, for the fields of transaction `index`. */
  forTx(index: number): InputReader {
    return new InputReader(this.file, index);
  }

  fail(field: string, message: string): never {
    throw new InputError(message, { ...(this.file !== undefined ? { file: this.file } : {}), field, ...(this.txIndex !== undefined ? { txIndex: this.txIndex } : {}) });
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, `expected an object, got ${showInput(value)}`);
    return value as Record<string, unknown>;
  }

  /** A 0x-hex quantity (leading zeros allowed) or, when `decimal`, a decimal string too; at most 256 bits. */
  quantity(value: unknown, field: string, options: { decimal?: boolean; number?: boolean } = {}): bigint {
    let n: bigint | undefined;
    if (typeof value === "string" && LOOSE_QUANTITY.test(value) && value.length <= 66) n = BigInt(value);
    else if (options.decimal === true && typeof value === "string" && /^[0-9]{1,78}$/.test(value)) n = BigInt(value);
    else if (options.number === true && typeof value === "number" && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
    if (n === undefined || n >= 1n << 256n) this.fail(field, `expected a hex quantity${options.decimal === true ? " or a decimal string" : ""}${options.number === true ? " or a non-negative integer" : ""}, got ${showInput(value)}`);
    return n;
  }

  /** A strictly formed quantity as JSON-RPC writes it. */
  strictQuantity(value: unknown, field: string): bigint {
    if (typeof value !== "string" || !QUANTITY.test(value) || value.length > 66) this.fail(field, `expected a hex quantity, got ${showInput(value)}`);
    return BigInt(value);
  }

  bytes(value: unknown, field: string, length?: number): string {
    if (typeof value !== "string" || !BYTES.test(value)) this.fail(field, `expected 0x-hex bytes, got ${showInput(value)}`);
    if (length !== undefined && value.length !== 2 + 2 * length) this.fail(field, `expected ${length} bytes, got ${(value.length - 2) / 2}`);
    return value.toLowerCase();
  }

  address(value: unknown, field: string): string {
    if (typeof value !== "string" || !ADDRESS.test(value)) this.fail(field, `expected a 20-byte 0x-hex address, got ${showInput(value)}`);
    return value.toLowerCase();
  }
}
