/**
 * A command line that cannot run as given (a bad option value, a missing option): the CLI prints
 * its message and exits 2, like an input error, never with a stack.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
