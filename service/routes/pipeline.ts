/**
 * The sequencer pipeline over HTTP: POST /analyze (access sets per transaction), POST /schedule
 * (conflict DAG, columns, critical path, projections, fee quotes) and POST /execute (run and
 * commit a block). /analyze and /schedule look at a block against the head without changing
 * anything; /execute queues the block for commit.
 */
import type { FastifyInstance } from "fastify";
import { inferAccessSets } from "../../analyzer/analyze.js";
import { accessClassCounts, accessSetsToJson } from "../../cli/commands/analyze.js";
import { resultToJson } from "../../cli/output.js";
import type { BlockAccessSets } from "../../core/accessSet.js";
import { accessSetsFromTrace } from "../../core/trace.js";
import type { Block } from "../../core/types.js";
import { analyzeBlockAccessSets } from "../../executor/accessSets.js";
import { prepareBlock } from "../../executor/prepare.js";
import { scheduleBlock } from "../../scheduler/scheduleBlock.js";
import type { BlockRequest } from "../chainHandle.js";
import { BODY } from "../jsonBody.js";
import { blockRequestSchema, emptyQuerySchema, scheduleQuerySchema, scheduleRequestSchema, type ScheduleQuery, type ScheduleRequest } from "../requestSchemas.js";
import { analyzeResponse, executeResponse, responses, scheduleResponse } from "../responseSchemas.js";
import type { ServiceContext } from "../serviceContext.js";

export function registerPipelineRoutes(app: FastifyInstance, context: ServiceContext): void {
  const { handle, checkSignatures, enforce } = context;
  /** The block as it would run next: numbered head + 1 unless it says otherwise. */
  const asNext = (block: BlockRequest): Block => ({ ...block, number: block.number ?? handle.head.number + 1n });

  app.post<{ Body: BlockRequest }>(
    "/analyze",
    {
      schema: {
        summary: "Each transaction's access set (reads, writes, class), as `prescient analyze --json` prints it; changes nothing",
        body: blockRequestSchema,
        querystring: emptyQuerySchema,
        response: responses(analyzeResponse, [413, 415]),
      },
    },
    async (request) => {
      const block = asNext(request.body);
      const { runtime, state } = handle.chain;
      const prepared = prepareBlock(block, runtime, BODY);
      const started = performance.now();
      // Only storage the analyzer proves immutable is read from the state, so a block committing
      // meanwhile changes nothing this sees.
      const sets = await inferAccessSets({ block, runtime, state, prepared, checkSignatures, enforce });
      return {
        block: accessSetsToJson(sets),
        summary: { txs: accessClassCounts(sets), warnings: sets.warnings.length, instantiateMs: Math.round((performance.now() - started) * 1000) / 1000 },
      };
    },
  );

  app.post<{ Body: ScheduleRequest; Querystring: ScheduleQuery }>(
    "/schedule",
    {
      schema: {
        summary: "The conflict DAG's columns, critical path, projected speedups, a worker assignment and fee quotes, as `prescient schedule --json` prints them; changes nothing",
        body: scheduleRequestSchema,
        querystring: scheduleQuerySchema,
        response: responses(scheduleResponse, [413, 415]),
      },
    },
    async (request) => {
      const body = request.body;
      let sets: BlockAccessSets;
      let baseFee: bigint;
      if (body.kind === "trace") {
        sets = accessSetsFromTrace(body.trace);
        baseFee = 1n;
      } else {
        const block = asNext(body.block);
        const { runtime, state } = handle.chain;
        const prepared = prepareBlock(block, runtime, BODY);
        sets = await analyzeBlockAccessSets({ block, prepared, runtime, state, checkSignatures, enforce });
        baseFee = block.baseFee;
      }
      const { threads, baseFee: queryBaseFee } = request.query;
      return scheduleBlock(sets, { ...(threads !== undefined ? { threads } : {}), baseFee: queryBaseFee ?? baseFee, congestion: handle.congestion }).toJSON();
    },
  );

  app.post<{ Body: BlockRequest }>(
    "/execute",
    {
      schema: {
        summary: "Execute a block on the head and commit it, after every block submitted before it; answers `prescient run --json`'s result",
        body: blockRequestSchema,
        querystring: emptyQuerySchema,
        response: responses(executeResponse, [409, 413, 415]),
      },
    },
    async (request) => {
      // Checked before the block queues: a call to an unknown contract or function, or arguments of
      // the wrong type, is refused at once and never holds up the blocks behind it.
      const prepared = prepareBlock({ ...request.body, number: 0n }, handle.chain.runtime, BODY);
      const committed = await handle.submit(request.body, prepared);
      return {
        number: committed.number.toString(),
        ...(resultToJson(committed.result, false) as object),
        projectedSpeedup: committed.projectedSpeedup,
        ...(committed.sequential !== undefined ? { sequential: { wallMs: Math.round(committed.sequential.wallMs * 1000) / 1000, stateRoot: committed.sequential.stateRoot, speedup: committed.sequential.speedup } } : {}),
        ...(committed.workerFailure !== undefined ? { workerFailure: committed.workerFailure } : {}),
      };
    },
  );
}
