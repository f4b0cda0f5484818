/**
 * Typed storage. A field `balances = new StorageMap<Address, bigint>("balances", 0n)` of the
 * contract deployed at `0xtok…` lives at the locations `0xtok…/balances/<key>`; a scalar
 * `StorageValue` at `0xtok…/<name>`. The location strings are the ones DESIGN.md fixes, so the
 * analyzer, declared access lists and the executor's records all speak the same language.
 */
import type { Value } from "../../core/types.js";
import { encodeKey, invalidValueReason } from "../../core/value.js";
import { Revert } from "./errors.js";
import { deployingAddress, host } from "./host.js";

/** A map key: an address, a u256, a boolean or an opaque string without '/'. */
export type Key = bigint | string | boolean;
type Keys<K> = K extends readonly Key[] ? K : [K];

function checked(value: Value): Value {
  const reason = invalidValueReason(value);
  if (reason !== undefined) throw new Revert(reason);
  return value;
}

function variablePrefix(name: string): string {
  if (name.length === 0 || name.includes("/")) throw new TypeError(`invalid storage variable name ${JSON.stringify(name)}`);
  return `${deployingAddress()}/${name}`;
}

export class StorageValue<V extends Value> {
  readonly location: string;
  readonly #default: V;

  constructor(name: string, defaultValue: V) {
    this.location = variablePrefix(name);
    this.#default = defaultValue;
  }

  get(): V {
    return (host().read(this.location) as V | undefined) ?? this.#default;
  }

  set(value: V): void {
    host().write(this.location, checked(value));
  }
}

/**
 * A map from one key, or from a tuple of keys (`StorageMap<[owner: Address, spender: Address],
 * bigint>` for nested maps), to a value. Absent entries read as the default.
 */
export class StorageMap<K extends Key | readonly Key[], V extends Value> {
  readonly #prefix: string;
  readonly #default: V;

  constructor(name: string, defaultValue: V) {
    this.#prefix = `${variablePrefix(name)}/`;
    this.#default = defaultValue;
  }

  /** The location of an entry. */
  location(...keys: Keys<K>): string {
    if (keys.length === 1) return this.#prefix + encodeKey(keys[0]);
    let loc = this.#prefix + encodeKey(keys[0]);
    for (let i = 1; i < keys.length; i++) loc += `/${encodeKey(keys[i])}`;
    return loc;
  }

  get(...keys: Keys<K>): V {
    return (host().read(this.location(...keys)) as V | undefined) ?? this.#default;
  }

  set(...keysAndValue: [...Keys<K>, V]): void {
    const value = keysAndValue[keysAndValue.length - 1] as V;
    const keys = keysAndValue.slice(0, -1) as unknown as Keys<K>;
    host().write(this.location(...keys), checked(value));
  }
}
