import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("a transaction host", () => {
  // A host lives as long as its block (or, in the parallel engine, its executor). Its overlay must
  // not keep what earlier transactions wrote: with Map.clear(), every later hash table stayed
  // reachable from the first one that reached the old generation, and young-generation collections
  // copied all of it (see TxHost.discard). Measured in a process of its own, with --expose-gc.
  it("leaves nothing of discarded transactions after a young-generation collection", () => {
    const dist = join(import.meta.dirname, "..", "dist");
    const run = spawnSync(process.execPath, ["--expose-gc", join(import.meta.dirname, "fixtures", "overlayRetention.mjs"), dist], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    const grown = Number(run.stdout);
    expect(Number.isFinite(grown)).toBe(true);
    // ~10 MB was written and discarded: with clear() ~6 MB of it stays, with a fresh map < 1 MB.
    expect(grown).toBeLessThan(3_000_000);
  });
});
