import { join } from "node:path";
import { Piscina } from "piscina";
import { afterEach, describe, expect, it } from "vitest";
import { SessionEnded, WorkerSessions } from "../executor/parallel/sessions.js";

const WORKER = join(import.meta.dirname, "fixtures", "sessionWorker.cjs");

interface Echo {
  readonly echo: unknown;
  readonly threadId: number;
}

let pool: Piscina | undefined;
let sessions: WorkerSessions | undefined;

function open(count: number): WorkerSessions {
  pool = new Piscina({ filename: WORKER, minThreads: count, maxThreads: count, concurrentTasksPerWorker: 1 });
  sessions = new WorkerSessions(pool, count);
  return sessions;
}

afterEach(async () => {
  await sessions?.close();
  await pool?.destroy();
  sessions = undefined;
  pool = undefined;
});

describe("worker sessions", () => {
  it("pair each reply with its message, one session per worker", async () => {
    const s = open(3);
    const threads = new Set<number>();
    for (let round = 0; round < 20; round++) {
      for (let slot = 0; slot < 3; slot++) s.send(slot, { kind: "echo", value: [round, slot] });
      for (let slot = 0; slot < 3; slot++) {
        const reply = await s.reply<Echo>(slot);
        expect(reply.echo).toEqual([round, slot]);
        threads.add(reply.threadId);
      }
    }
    expect(threads.size).toBe(3);
  });

  it("refuse a second message before the reply to the first is taken", async () => {
    const s = open(1);
    s.send(0, { kind: "echo", value: 1 });
    expect(() => s.send(0, { kind: "echo", value: 2 })).toThrow(/reply not taken/);
    expect((await s.reply<Echo>(0)).echo).toBe(1);
  });

  it("give no reply within a spin while the worker is busy, and the reply after", async () => {
    const s = open(1);
    s.send(0, { kind: "echo", value: "warm" });
    await s.reply(0);
    s.send(0, { kind: "sleep", ms: 50 });
    expect(s.replyWithin(0, performance.now() + 1)).toBeUndefined();
    expect(await s.reply(0)).toMatchObject({ slept: 50 });
    s.send(0, { kind: "echo", value: "now" });
    let reply: Echo | undefined;
    while ((reply = s.replyWithin<Echo>(0, performance.now() + 1)) === undefined);
    expect(reply.echo).toBe("now");
  });

  it("end a session whose handler throws, after replying with the failure; the next message starts a new one", async () => {
    const s = open(1);
    s.send(0, { kind: "echo", value: 0 });
    const before = (await s.reply<Echo>(0)).threadId;
    let ended = 0;
    const stop = s.onEnd([0], () => ended++);
    s.send(0, { kind: "throw" });
    expect(await s.reply(0)).toMatchObject({ failed: expect.stringContaining("asked to throw") });
    await expect.poll(() => s.hasEnded(0)).toBe(true);
    expect(ended).toBe(1);
    stop();
    s.send(0, { kind: "echo", value: 1 });
    const after = await s.reply<Echo>(0);
    expect(after.echo).toBe(1);
    // The worker survived its handler's throw: the new session runs on it.
    expect(after.threadId).toBe(before);
  });

  it("send the message after a failure to a new session at once, not to the session that is ending", async () => {
    // The failed reply comes before piscina reports the session's task done: a message sent in
    // between would go to a port about to close and be lost (the next block ran inline for it).
    const s = open(1);
    s.send(0, { kind: "throw" });
    expect(await s.reply(0)).toMatchObject({ failed: expect.stringContaining("asked to throw"), sessionEnds: true });
    s.send(0, { kind: "echo", value: "next" });
    expect((await s.reply<Echo>(0)).echo).toBe("next");
  });

  it("report a worker that dies: the reply rejects, listeners hear of it, and the replacement serves the next message", async () => {
    const s = open(2);
    for (const slot of [0, 1]) s.send(slot, { kind: "echo", value: slot });
    const first = await Promise.all([s.reply<Echo>(0), s.reply<Echo>(1)]);
    let heard = 0;
    const stop = s.onEnd([0, 1], () => heard++);
    s.send(1, { kind: "exit" });
    await expect(s.reply(1)).rejects.toThrow(SessionEnded);
    expect(heard).toBe(1);
    stop();
    // Once ended, a listener is called at once.
    let late = 0;
    s.onEnd([1], () => late++);
    expect(late).toBe(1);
    // The other session is untouched; the dead one's slot gets a session on a new worker.
    s.send(0, { kind: "echo", value: "still" });
    expect((await s.reply<Echo>(0)).threadId).toBe(first[0]!.threadId);
    s.send(1, { kind: "echo", value: "again" });
    const replaced = await s.reply<Echo>(1);
    expect(replaced.echo).toBe("again");
    expect([first[0]!.threadId, first[1]!.threadId]).not.toContain(replaced.threadId);
  });

  it("take an early wake with no message as nothing, and serve the message that follows", async () => {
    const s = open(1);
    s.send(0, { kind: "echo", value: 0 });
    await s.reply(0);
    for (let i = 0; i < 5; i++) s.wake(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    s.wake(0);
    s.send(0, { kind: "echo", value: "after" });
    expect((await s.reply<Echo>(0)).echo).toBe("after");
  });

  it("close: every session ends and gives its worker back to the pool", async () => {
    const s = open(2);
    for (const slot of [0, 1]) s.send(slot, { kind: "sleep", ms: 20 });
    // A session still working is waited for before it is ended.
    await s.close();
    // Both workers are free: new sessions (new tasks) are served rather than queued behind the
    // old ones, which a session that never ended would cause.
    for (const slot of [0, 1]) s.send(slot, { kind: "echo", value: slot });
    const replies = await Promise.all([s.reply<Echo>(0), s.reply<Echo>(1)]);
    expect(replies.map((r) => r.echo)).toEqual([0, 1]);
    expect(pool!.queueSize).toBe(0);
  });

  it("validate the session count", () => {
    const p = new Piscina({ filename: WORKER, minThreads: 0, maxThreads: 1 });
    expect(() => new WorkerSessions(p, 0)).toThrow(RangeError);
    expect(() => new WorkerSessions(p, 1.5)).toThrow(RangeError);
    void p.destroy();
  });
});
