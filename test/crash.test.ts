import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { rootOfEntries } from "../state/root.js";
import { StateDb } from "../state/stateDb.js";
import { Random } from "../workloads/random.js";
import { chainBlocks, replayRoots, writeChainBlocks } from "./chainBlocks.js";

const CHILD = join(import.meta.dirname, "fixtures", "commitBlocks.mjs");
const BLOCKS = 100;
const KILLS = 12;

interface Run {
  readonly committed: bigint[];
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

/**
 * Start the child on the chain and kill it (SIGKILL): `at` × the time it spends per block after it
 * reports block `killAfter` (so that kills spread over whole blocks: execution, root, commit,
 * whatever the machine's load), or `startupMs` after it starts (at the latest when block `killAfter`
 * is reported), or never.
 */
function runChild(stateDir: string, blocksDir: string, modes: string, kill: { killAfter: bigint; at: number; startupMs: number | undefined } | undefined): Promise<Run> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CHILD, stateDir, blocksDir, String(BLOCKS), modes], { stdio: ["ignore", "pipe", "pipe"] });
    const committed: bigint[] = [];
    let killed = false;
    let stderr = "";
    let pending = "";
    let last = 0;
    let period = 0;
    const killIn = (ms: number) => {
      if (killed) return;
      killed = true;
      setTimeout(() => child.kill("SIGKILL"), ms);
    };
    if (kill?.startupMs !== undefined) killIn(kill.startupMs);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const now = performance.now();
      if (last > 0) period = period === 0 ? now - last : 0.7 * period + 0.3 * (now - last);
      last = now;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const n = BigInt(line.split(" ")[0]!);
        committed.push(n);
        if (kill !== undefined && n >= kill.killAfter) {
          // A startup kill whose timer has not fired yet still must not let the chain run away;
          // nor may a delayed kill: `period` can still carry a slow first block (a pool starting,
          // code not yet compiled) while the later blocks take a tenth of it, and a delay of
          // 1.5 such periods let the child commit a dozen blocks, then the chain's last block, and
          // exit before it was killed.
          if (kill.startupMs !== undefined || n >= kill.killAfter + 2n) child.kill("SIGKILL");
          else if (period > 0) killIn(kill.at * period);
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code, signal) => resolveRun({ committed, killed: signal === "SIGKILL", code, stderr }));
  });
}

it("SIGKILL at random points while committing 100 blocks through a state directory: after each restart the state is exactly blocks 1..head", async () => {
  const seed = process.env.PRESCIENT_CRASH_SEED ?? String(Date.now());
  const random = new Random(seed);
  const chain = chainBlocks({ seed: "crash", blocks: BLOCKS, txsPerBlock: 6 });
  const roots = await replayRoots(chain);
  const tmp = mkdtempSync(join(tmpdir(), "prescient-crash-"));
  const blocksDir = join(tmp, "blocks");
  const stateDir = join(tmp, "state");
  writeChainBlocks(blocksDir, chain);

  let reported = 0n;
  let kills = 0;
  for (let run = 0; ; run++) {
    const why = `(seed ${seed}, run ${run})`;
    // Alternate the sequential executor with hybrid on two workers (whose threads read LMDB too).
    const modes = run % 2 === 0 ? "sequential" : "hybrid,sequential";
    // Some kills land while the process starts (opening, deploying, the first initialization),
    // the others a few milliseconds after a random block was reported committed.
    // Each remaining kill gets an equal share of the remaining blocks (keeping a few in reserve), so
    // that a seed whose kills land late cannot run the chain to its end before all kills happened.
    const window = Math.max(1, Math.floor((BLOCKS - Number(reported) - 8) / (KILLS - kills)) - 1);
    const startup = run % 3 === 0;
    const kill = kills >= KILLS ? undefined : { killAfter: reported + BigInt(startup ? window : 1 + random.int(window)), at: 1.5 * random.next(), startupMs: startup ? random.int(700) : undefined };
    const result = await runChild(stateDir, blocksDir, modes, kill);
    for (const n of result.committed) {
      expect(n, why).toBe(reported + 1n);
      reported = n;
    }
    if (result.killed) kills++;
    else expect(result.code, `${why}: ${result.stderr}`).toBe(0);

    if (StateDb.probe(stateDir) === "none") {
      expect(reported, why).toBe(0n);
      continue;
    }
    const db = StateDb.open(stateDir);
    try {
      if (!db.initialized) {
        expect(reported, why).toBe(0n);
        continue;
      }
      const head = db.head;
      // Every commit the child reported survived; the head is a block it committed, whole.
      expect(head.number >= reported, `${why}: head ${head.number} lost reported block ${reported}`).toBe(true);
      expect(head.stateRoot, why).toBe(roots[Number(head.number)]);
      expect(rootOfEntries(db.entries()), `${why}: the stored state is the replay's`).toBe(roots[Number(head.number)]);
      reported = head.number;
    } finally {
      await db.close();
    }
    if (!result.killed) break;
  }
  expect(kills, `seed ${seed}: kills before the chain's end`).toBe(KILLS);
  expect(reported, `seed ${seed}`).toBe(BigInt(BLOCKS));
});
