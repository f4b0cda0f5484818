/**
 * Errors of the EVM runtime. A hole in the input (a slot or block hash the snapshot lacks, a
 * sender the pre-state does not hold) is an InputError: the CLI exits 2 naming it.
 */
import { InputError } from "../core/errors.js";

/** The transaction needed a value the pre-state or block-hash file does not hold. */
export class SnapshotMissError extends InputError {
  override name = "SnapshotMissError";
  /** The location (or `blockhash/<n>`) that was missing. */
  readonly location: string;

  constructor(message: string, parameters: { file: string | undefined; field: string; txIndex: number; location: string }) {
    super(message, { ...(parameters.file !== undefined ? { file: parameters.file } : {}), field: parameters.field, txIndex: parameters.txIndex });
    this.location = parameters.location;
  }
}

