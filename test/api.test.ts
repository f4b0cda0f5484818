/**
 * The package's entry points and what each exports: adding an export is deliberate, removing one
 * breaks users. The root is the pipeline on in-memory state and must stay light (test/package/
 * checks that it loads neither fastify, nor lmdb, nor piscina); the heavier parts and the
 * analyzer's internals have entry points of their own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

/** Each entry point of package.json's "exports", the source module it is built from, and its names. */
const ENTRY_POINTS: Record<string, { source: string; load: () => Promise<object>; names: string[] }> = {
  ".": {
    source: "index",
    load: () => import("../index.js"),
    names: [
      "ACCESS_TRACE_FORMAT",
      "ACCOUNTS_ADDRESS",
      "ADDRESSES",
      "ANALYZER_VERSION",
      "BARRIER_LOCATION",
      "BaseError",
      "CONGESTION_STATE_FORMAT",
      "ConflictGraph",
      "CongestionState",
      "ContractLoadError",
      "ContractRuntime",
      "DEFAULT_FEE_MODEL",
      "DEFAULT_MAINNET_BLOCK",
      "DEFAULT_THREAD_COUNTS",
      "GAS",
      "InputError",
      "Instantiator",
      "Mempool",
      "SAMPLE_CONTRACTS",
      "ScheduleResult",
      "State",
      "WORKLOADS",
      "WORKLOAD_NAMES",
      "ZERO_ADDRESS",
      "accessSetsFromTrace",
      "analyzeBlockAccessSets",
      "assignWorkers",
      "balanceLocation",
      "blockAccessSets",
      "blockToJson",
      "buildConflictGraph",
      "columnsAsArrays",
      "computeColumns",
      "computeCriticalPath",
      "covers",
      "deriveKeyPair",
      "executeBlockSequential",
      "feeModel",
      "gasBottomLevels",
      "gasTopLevels",
      "generateWorkload",
      "inferAccessSets",
      "isAccessTraceDocument",
      "isAddress",
      "keyLocation",
      "keyPairForAddress",
      "lintSource",
      "listScheduleMakespan",
      "loadTemplates",
      "location",
      "mainnetTraceFile",
      "mainnetTraceFiles",
      "mainnetWorkload",
      "measureDemand",
      "measurePrecision",
      "nonceLocation",
      "parseAccessTrace",
      "parseBlock",
      "parseGenesis",
      "parseTx",
      "prepareBlock",
      "prepareTx",
      "projectSpeedups",
      "quoteBlock",
      "readAccessTrace",
      "readJsonFile",
      "scheduleBlock",
      "signTx",
      "stateFromGenesis",
      "stateRoot",
      "stateToGenesisJson",
      "toDot",
      "toGraphlib",
      "traceAndMeasure",
      "traceToWorkload",
      "txHash",
      "txHashHex",
      "txToJson",
      "withAccountContract",
      "withBarriers",
    ],
  },
  "./analyzer": {
    source: "analyzer/index",
    load: () => import("../analyzer/index.js"),
    names: [
      "ANALYZER_VERSION",
      "CLASSES",
      "Instantiator",
      "analyzeSource",
      "clearTemplateMemoryCache",
      "compileTemplates",
      "contractFiles",
      "deriveTemplates",
      "formatAccess",
      "formatCall",
      "formatFinding",
      "formatSym",
      "gasTransformer",
      "inferAccessSets",
      "lintOrThrow",
      "lintSource",
      "loadTemplates",
      "measurePrecision",
      "templatesForRuntime",
      "templatesHash",
      "traceAndMeasure",
    ],
  },
  "./chain": {
    source: "chain/index",
    load: () => import("../chain/index.js"),
    names: [
      "Chain",
    ],
  },
  "./contract": {
    source: "contracts/sdk/index",
    load: () => import("../contracts/sdk/index.js"),
    names: [
      "ACCOUNTS_ADDRESS",
      "AccessListViolation",
      "Contract",
      "GAS",
      "MAX_U256",
      "OutOfGas",
      "Revert",
      "StorageMap",
      "StorageValue",
      "ZERO_ADDRESS",
      "add",
      "div",
      "ensure",
      "hashValues",
      "isAddress",
      "isU256",
      "min",
      "mod",
      "mul",
      "revert",
      "sub",
      "verifyEd25519",
      "work",
    ],
  },
  "./executor": {
    source: "executor/index",
    load: () => import("../executor/index.js"),
    names: [
      "BARRIER_LOCATION",
      "ParallelExecutor",
      "analyzeBlockAccessSets",
      "blockAccessSets",
      "executeBlockSequential",
      "prepareBlock",
      "prepareTx",
      "withBarriers",
    ],
  },
  "./report": {
    source: "report/index",
    load: () => import("../report/index.js"),
    names: [
      "REPORT_FORMAT",
      "buildBlockReportData",
      "createBlockReport",
      "layoutDag",
      "layoutGantt",
      "renderBlockReport",
      "summarizePrices",
    ],
  },
  "./service": {
    source: "service/index",
    load: () => import("../service/index.js"),
    names: [
      "DEFAULT_BODY_LIMIT",
      "createService",
    ],
  },
  "./state": {
    source: "state/index",
    load: () => import("../state/index.js"),
    names: [
      "HeadMovedError",
      "STATE_FORMAT",
      "SharedState",
      "State",
      "StateDb",
      "stateFromGenesis",
      "stateRoot",
      "stateToGenesisJson",
      "withAccountContract",
    ],
  },
};

describe("the package's entry points", () => {
  it("package.json exports exactly these entry points, each built from its module", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const exported = Object.fromEntries(Object.entries(manifest.exports).filter(([k]) => k !== "./package.json"));
    expect(exported).toEqual(
      Object.fromEntries(Object.entries(ENTRY_POINTS).map(([k, { source }]) => [k, { types: `./dist/${source}.d.ts`, default: `./dist/${source}.js` }])),
    );
  });

  for (const [entry, { load, names }] of Object.entries(ENTRY_POINTS)) {
    it(`${entry === "." ? "prescient" : `prescient${entry.slice(1)}`} exports exactly its API`, async () => {
      expect(Object.keys(await load()).sort()).toEqual(names);
    });
  }
});
