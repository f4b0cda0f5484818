/**
 * What a contract can throw on purpose, and what the host throws at it. The executor turns each
 * into a receipt: `Revert` → `revert`, `OutOfGas` → `out-of-gas`, `AccessListViolation` →
 * `revert` with that name. Anything else a contract throws (a TypeError, a thrown string) is a
 * revert too, so a buggy contract fails the same way in every executor.
 */

export class Revert extends Error {
  override name = "Revert";
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

export class OutOfGas extends Error {
  override name = "OutOfGas";
  constructor(readonly gasLimit: number) {
    super(`out of gas (limit ${gasLimit})`);
  }
}

export class AccessListViolation extends Error {
  override name = "AccessListViolation";
  constructor(
    readonly kind: "read" | "write",
    readonly location: string,
  ) {
    super(`AccessListViolation: ${kind} of ${location} is not in the declared access list`);
  }
}

/** Abort the current call with a reason; every write of the transaction is rolled back. */
export function revert(reason: string): never {
  throw new Revert(reason);
}

/** Revert with `reason` unless `condition` holds. */
export function ensure(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new Revert(reason);
}
