/**
 * @ethereumjs/evm analyses a contract's code (its jump destinations, push values and opcode
 * entries) every time a call frame starts running it, and on mainnet blocks that analysis was the
 * largest single item of a CPU profile (19% of the time). The analysis depends only on the code
 * and the hardfork's opcode table, and nothing writes to its result, so prescient's EVMs keep it
 * per code: the code store hands out one Uint8Array per code, which a WeakMap finds again.
 *
 * The interpreter class is not exported, so its prototype is taken from the first JUMPDEST an EVM
 * runs and its analysis method wrapped there, once per process. The wrapper caches only for EVMs
 * registered here: any other EVM in the process (the benchmark's plain @ethereumjs/vm peer) runs
 * the original analysis.
 */
import type { EVM } from "@ethereumjs/evm";

type Analysis = unknown;
interface InterpreterLike {
  _evm: object;
  _getValidJumpDestinations(code: Uint8Array): Analysis;
}
interface OpcodeEntry {
  readonly opHandler: (runState: { interpreter: InterpreterLike }, common: unknown) => unknown;
}

const JUMPDEST = 0x5b;
const caches = new WeakMap<object, WeakMap<Uint8Array, Analysis>>();
let patched = false;

function patch(prototype: InterpreterLike): void {
  if (patched) return;
  patched = true;
  const analyse = prototype._getValidJumpDestinations;
  prototype._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
    const cache = caches.get(this._evm);
    if (cache === undefined) return analyse.call(this, code);
    let analysis = cache.get(code);
    if (analysis === undefined) {
      analysis = analyse.call(this, code);
      cache.set(code, analysis);
    }
    return analysis;
  };
}

/** Let `evm` reuse the analysis of code it has run before. */
export function cacheJumpAnalysis(evm: EVM): void {
  caches.set(evm, new WeakMap());
  if (patched) return;
  const map = (evm as unknown as { _opcodeMap: OpcodeEntry[] })._opcodeMap;
  const jumpdest = map[JUMPDEST]!;
  map[JUMPDEST] = {
    ...jumpdest,
    opHandler: (runState, common) => {
      patch(Object.getPrototypeOf(runState.interpreter) as InterpreterLike);
      map[JUMPDEST] = jumpdest;
      return jumpdest.opHandler(runState, common);
    },
  };
}
