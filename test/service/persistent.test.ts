import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nonceLocation } from "../../core/protocol.js";
import type { Block } from "../../core/types.js";
import { createService } from "../../service/createService.js";
import { ROOT } from "../helpers.js";
import { blockBody, defiChain, send, sequentialReplay, startService } from "./helpers.js";

const chain = defiChain(3, 30, "persistent");

describe("the service on a state directory", () => {
  it("commits into DIR; a new service on DIR continues from its head, replica and all", async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), "prescient-serve-state-")), "chain");
    const first = await startService({ genesis: chain.genesis, baseDir: ROOT, stateDir, threads: 2 });
    const order: Block[] = [];
    try {
      // Two blocks sent at once: the service numbers them in the order it commits them.
      const answers = await Promise.all(chain.blocks.slice(0, 2).map((b) => send(first.url, "/execute", { body: blockBody(b) })));
      for (const [i, a] of answers.entries()) {
        expect(a.status, a.text).toBe(200);
        order[Number(a.json.number) - 1] = chain.blocks[i]!;
      }
    } finally {
      await first.close();
    }
    const { roots } = await sequentialReplay(chain.genesis, [...order, chain.blocks[2]!]);

    const second = await startService({ stateDir, threads: 2, measureSequential: true });
    try {
      expect((await send(second.url, "/health")).json.head).toEqual({ number: "2", stateRoot: roots[1] });
      const sender = order[1]!.txs[0]!.from;
      const nonce = order[1]!.txs.filter((t) => t.from === sender).length;
      expect((await send(second.url, `/state/${nonceLocation(sender)}`)).json).toEqual({ location: nonceLocation(sender), value: String(nonce), number: "2" });
      expect((await send(second.url, "/execute", { body: blockBody(chain.blocks[2]!, 2n) })).status).toBe(409);
      const third = await send(second.url, "/execute", { body: blockBody(chain.blocks[2]!) });
      expect(third.json).toMatchObject({ number: "3", stateRoot: roots[2], sequential: { stateRoot: roots[2] } });
    } finally {
      await second.close();
    }
    // DIR belongs to its genesis: another one is refused before anything is served.
    const other = defiChain(1, 4, "another chain");
    await expect(createService({ stateDir, genesis: other.genesis, baseDir: ROOT })).rejects.toThrow(/differs from the one .* was initialized with/);
  });
});
