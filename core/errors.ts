/**
 * Errors prescient raises on purpose. Every one carries a short message a person can act on
 * and, where it applies, where the problem is (file, transaction index, field).
 */

export interface BaseErrorParameters {
  readonly details?: string;
  readonly cause?: unknown;
}

export class BaseError extends Error {
  override name = "PrescientError";
  /** One line that says what went wrong, without the details. */
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(parameters.details ? `${shortMessage}\n\n${parameters.details}` : shortMessage, {
      cause: parameters.cause,
    });
    this.shortMessage = shortMessage;
    this.details = parameters.details;
  }
}

export interface InputErrorParameters extends BaseErrorParameters {
  /** The file the bad input came from, when there is one. */
  readonly file?: string;
  /** The transaction index, when the problem is inside one transaction. */
  readonly txIndex?: number;
  /** The path of the offending field, e.g. `txs[3].gasLimit`. */
  readonly field?: string;
}

/**
 * Bad input from a user: malformed JSON, a missing or ill-typed field, an unknown contract or
 * function. The CLI prints the message and exits with code 2.
 */
export class InputError extends BaseError {
  override name = "InputError";
  readonly file: string | undefined;
  readonly txIndex: number | undefined;
  readonly field: string | undefined;

  constructor(message: string, parameters: InputErrorParameters = {}) {
    const where = [parameters.file, parameters.field].filter((part) => part !== undefined).join(": ");
    super(where ? `${where}: ${message}` : message, parameters);
    this.file = parameters.file;
    this.txIndex = parameters.txIndex;
    this.field = parameters.field;
  }
}

/** A contract that does not load: a syntax error, a forbidden construct, no contract class. */
export class ContractLoadError extends BaseError {
  override name = "ContractLoadError";
}

/**
 * A piece of bad input as an error message shows it: JSON, cut short, so that a message never
 * echoes a megabyte a client sent.
 */
export function showInput(input: unknown, max = 60): string {
  if (input === undefined) return "nothing";
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch {
    // nested past the stack (or not serialisable)
    return Array.isArray(input) ? "a deeply nested array" : typeof input;
  }
  if (text === undefined) return typeof input;
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
