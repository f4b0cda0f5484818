/**
 * The service's conventions: it describes itself (GET /openapi.json, from the zod schemas that
 * validate the requests and describe the answers), tells a wrong method from an unknown path
 * (405 with Allow), logs one JSON line per request and per block, and exposes Prometheus
 * metrics with latency histograms and the process's runtime metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { ACCOUNTS_ADDRESS, nonceLocation } from "../../core/protocol.js";
import { txSchema } from "../../core/schema.js";
import { PROMETHEUS_CONTENT_TYPE } from "../../service/metrics.js";
import { analyzeResponse, errorResponse, executeResponse, healthResponse, mempoolBatchResponse, mempoolUpdateResponse, scheduleResponse, stateResponse } from "../../service/responseSchemas.js";
import { ROOT } from "../helpers.js";
import { blockBody, defiChain, parseMetrics, send, startService, type HttpAnswer, type RunningService } from "./helpers.js";

const chain = defiChain(2, 16, "conventions");

/** Every route the service answers, with its methods (HEAD comes with GET). */
const ROUTES: Record<string, readonly string[]> = {
  "/analyze": ["POST"],
  "/schedule": ["POST"],
  "/execute": ["POST"],
  "/mempool/txs": ["POST"],
  "/mempool/batch": ["POST"],
  "/state/{location}": ["GET", "HEAD"],
  "/health": ["GET", "HEAD"],
  "/metrics": ["GET", "HEAD"],
  "/openapi.json": ["GET", "HEAD"],
};

/** A 200 whose body is what the route's documented schema says (strict: no undocumented field). */
function documented(answer: HttpAnswer, schema: z.ZodType): void {
  expect(answer.status, answer.text).toBe(200);
  const parsed = schema.safeParse(answer.json);
  expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
}

describe("the service's conventions", () => {
  let service: RunningService;
  let url: string;
  const logged: string[] = [];
  beforeAll(async () => {
    service = await startService({ genesis: chain.genesis, baseDir: ROOT, threads: 2, log: { level: "info", destination: { write: (line: string) => logged.push(line) } } });
    url = service.url;
  });
  afterAll(async () => service.close());

  it("every answer is what GET /openapi.json documents for its route", async () => {
    const block = blockBody(chain.blocks[0]!);
    documented(await send(url, "/health"), healthResponse);
    documented(await send(url, "/analyze", { body: block }), analyzeResponse);
    documented(await send(url, "/schedule?threads=2", { body: block }), scheduleResponse);
    documented(await send(url, "/execute", { body: block }), executeResponse);
    const sender = chain.blocks[0]!.txs[0]!.from;
    documented(await send(url, `/state/${ACCOUNTS_ADDRESS}/nonce/${sender}`), stateResponse);
    expect((await send(url, `/state/${nonceLocation("0x00000000000000000000000000000000000000ff")}`)).json.value).toBeNull();
    documented(await send(url, "/mempool/txs", { body: [{ id: "a", reads: ["k"], writes: ["k"], gas: 5 }, { drop: ["zz"] }] }), mempoolUpdateResponse);
    documented(await send(url, "/mempool/batch", { body: { maxTxs: 4 } }), mempoolBatchResponse);
    const bad = await send(url, "/execute", { body: { ...block, txs: "none" } });
    expect(bad.status).toBe(400);
    expect(errorResponse.safeParse(bad.json).success).toBe(true);
  });

  it("GET /openapi.json: OpenAPI 3.1, every route with its methods, request and answer schemas from the zod schemas", async () => {
    const r = await send(url, "/openapi.json");
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "prescient", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const paths = Object.fromEntries(Object.entries(doc.paths as Record<string, Record<string, unknown>>).map(([path, ops]) => [path, Object.keys(ops).map((m) => m.toUpperCase()).sort()]));
    expect(paths).toEqual(Object.fromEntries(Object.entries(ROUTES).map(([path, methods]) => [path, methods.filter((m) => m !== "HEAD")])));
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(ops)) {
        expect(op.summary, path).toEqual(expect.any(String));
        expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(["200", "400", "500"]));
      }
    }
    // The block a client POSTs: the fields parseTx requires, nothing else accepted, amounts as decimal strings.
    const execute = doc.paths["/execute"].post;
    const blockSchema = execute.requestBody.content["application/json"].schema;
    expect(blockSchema.required).toEqual(["timestamp", "sequencer", "baseFee", "txs"]);
    expect(blockSchema.additionalProperties).toBe(false);
    const tx = blockSchema.properties.txs.items;
    const fields = txSchema.shape as Record<string, z.ZodType>;
    expect(tx.required.sort()).toEqual(Object.keys(fields).filter((k) => !fields[k]!.safeParse(undefined).success).sort());
    expect(tx.properties.gasPrice).toMatchObject({ type: "string", pattern: "^[0-9]{1,78}$" });
    expect(tx.properties.signature).toMatchObject({ type: "string", pattern: "^0x[0-9a-f]{128}$" });
    expect(execute.responses["200"].content["application/json"].schema.required).toEqual(expect.arrayContaining(["number", "stateRoot", "receipts", "stats"]));
    expect(execute.responses["409"].description).toMatch(/conflict/);
    // Query and path parameters.
    const schedule = doc.paths["/schedule"].post;
    expect(schedule.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`).sort()).toEqual(["query:baseFee", "query:threads"]);
    expect(schedule.requestBody.content["application/json"].schema.anyOf).toHaveLength(2);
    expect(doc.paths["/state/{location}"].get.parameters).toEqual([expect.objectContaining({ in: "path", name: "location", required: true })]);
    expect(Object.keys(doc.paths["/metrics"].get.responses["200"].content)).toEqual([PROMETHEUS_CONTENT_TYPE]);
  });

  it("a known path with a wrong method: 405 with the methods it answers in Allow; an unknown path: 404", async () => {
    for (const [path, methods] of Object.entries(ROUTES)) {
      const concrete = path.replace("{location}", "token/balances/x");
      const wrong = methods.includes("POST") ? "GET" : "POST";
      const r = await send(url, concrete, { method: wrong });
      expect(r.status, `${wrong} ${concrete}`).toBe(405);
      expect(r.headers.allow).toBe([...methods].sort().join(", "));
      expect(r.json).toEqual({ error: "method_not_allowed", message: `${wrong} is not allowed on ${concrete}; it answers ${[...methods].sort().join(", ")}` });
    }
    expect((await send(url, "/health", { method: "DELETE" })).status).toBe(405);
    expect((await send(url, "/health", { method: "HEAD" })).status).toBe(200);
    const unknown = await send(url, "/blocks", { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toBe("not_found");
  });

  it("GET /metrics: valid exposition with latency histograms, every metric of before, and process metrics", async () => {
    const r = await send(url, "/metrics");
    expect(r.status).toBe(200);
    expect(r.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    // Every sample belongs to a family declared once, with HELP and TYPE, before its samples.
    const types = new Map<string, string>();
    for (const line of r.text.split("\n")) {
      const declared = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (declared !== null) {
        expect(types.has(declared[1]!), declared[1]).toBe(false);
        types.set(declared[1]!, declared[2]!);
        continue;
      }
      if (line === "" || line.startsWith("# HELP ")) continue;
      const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)![1]!;
      const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
      expect(types.has(family), `sample ${line} before its TYPE`).toBe(true);
      if (family !== name) expect(types.get(family)).toMatch(/histogram|summary/);
    }
    const m = parseMetrics(r.text);
    // The metrics the service exposed before, under the same names.
    for (const name of [
      "prescient_info",
      "prescient_head_block_number",
      "prescient_commit_queue_depth",
      "prescient_mempool_pending_txs",
      "prescient_blocks_total",
      "prescient_txs_total",
      "prescient_gas_used_total",
      "prescient_tx_executions_total",
      "prescient_tx_validations_total",
      "prescient_tx_aborts_total",
      "prescient_access_list_violations_total",
      "prescient_worker_failures_total",
      "prescient_block_execution_seconds_total",
      "prescient_last_block_execution_seconds",
      "prescient_last_block_projected_speedup",
      "prescient_projected_speedup_average",
      "prescient_http_responses_total",
    ]) {
      expect(types.has(name), name).toBe(true);
    }
    expect(m.get("prescient_blocks_total")).toBe(1);
    // Latency histograms: cumulative buckets, +Inf equal to the count, a count per response.
    const series = 'method="POST",route="/execute",status="200"';
    const buckets = [...m].filter(([k]) => k.startsWith("prescient_http_request_duration_seconds_bucket{") && k.includes(series));
    expect(buckets.length).toBeGreaterThan(10);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
    expect(m.get(`prescient_http_request_duration_seconds_bucket{le="+Inf",${series}}`)).toBe(1);
    expect(m.get(`prescient_http_request_duration_seconds_count{${series}}`)).toBe(m.get('prescient_http_responses_total{route="/execute",status="200"}'));
    expect(m.get(`prescient_http_request_duration_seconds_sum{${series}}`)).toBeGreaterThan(0);
    expect(m.get('prescient_http_request_duration_seconds_count{method="GET",route="/health",status="200"}')).toBe(1);
    expect(m.get("prescient_block_execution_duration_seconds_count")).toBe(1);
    expect(m.get("prescient_block_execution_duration_seconds_sum")).toBeCloseTo(m.get("prescient_block_execution_seconds_total")!, 9);
    // The process and the runtime.
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_seconds"]) expect(m.get(name), name).toBeGreaterThanOrEqual(0);
    expect(types.get("nodejs_gc_duration_seconds")).toBe("histogram");
  });

  it("logs one JSON line per request and per committed block, with the request id", async () => {
    const lines = logged.map((line) => JSON.parse(line) as Record<string, any>);
    const execute = lines.find((l) => l.path === "/execute" && l.status === 200)!;
    expect(execute).toMatchObject({ level: 30, method: "POST", route: "/execute", reqId: expect.any(String), msg: expect.stringMatching(/^POST \/execute 200 \d+\.\d ms$/) });
    expect(execute.ms).toBeGreaterThan(0);
    expect(lines.filter((l) => l.reqId === execute.reqId && l.path !== undefined)).toHaveLength(1);
    const commit = lines.find((l) => l.block === "1")!;
    expect(commit).toMatchObject({ level: 30, txs: chain.blocks[0]!.txs.length, mode: "hybrid", threads: expect.any(Number), wallMs: expect.any(Number), stateRoot: expect.stringMatching(/^0x/) });
    expect(commit.reqId).toBeUndefined();
    // A 405 and a 404 are one line each too.
    const wrong = lines.filter((l) => l.status === 405 || l.status === 404);
    expect(wrong.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.msg).not.toMatch(/incoming request|not found/);
  });
});
