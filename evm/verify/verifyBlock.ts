/**
 * A run checked against its block's header: gasUsed, logsBloom and (from Byzantium on) the
 * receipts-trie root must equal the published ones.
 */
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { EvmBlock } from "../input/blockFile.js";
import type { EvmBlockRun } from "../sequential.js";
import { blockBloom, firstBloomOutsider, receiptsRoot } from "./receipts.js";

export interface EvmBlockVerification {
  readonly gasUsed: bigint;
  readonly headerGasUsed: bigint;
  /** Undefined before Byzantium (receipts then carry intermediate state roots; see receipts.ts). */
  readonly receiptsRoot: string | undefined;
  readonly headerReceiptsRoot: string;
  readonly logsBloomMatches: boolean;
  readonly verified: boolean;
  /** What did not match, each naming what it can (the first transaction whose logs are not in the header's bloom). */
  readonly mismatches: readonly string[];
}

export async function verifyEvmBlock(block: EvmBlock, run: EvmBlockRun): Promise<EvmBlockVerification> {
  const byzantium = block.block.common.gteHardfork("byzantium");
  const root = await receiptsRoot(run.receipts, byzantium);
  const headerBloom = hexToBytes(block.logsBloom as `0x${string}`);
  const bloom = blockBloom(run.receipts);
  const logsBloomMatches = bytesToHex(bloom) === block.logsBloom;
  const mismatches: string[] = [];
  if (run.gasUsed !== block.gasUsed) mismatches.push(`gasUsed ${run.gasUsed} ≠ header ${block.gasUsed}`);
  if (!logsBloomMatches) {
    const outsider = firstBloomOutsider(run.receipts, headerBloom);
    mismatches.push(`logsBloom differs from the header's${outsider !== undefined ? ` (first at transaction ${outsider}, whose logs the header does not have)` : " (a log the header has is missing)"}`);
  }
  if (root !== undefined && root !== block.receiptsRoot) mismatches.push(`receiptsRoot ${root} ≠ header ${block.receiptsRoot}`);
  return { gasUsed: run.gasUsed, headerGasUsed: block.gasUsed, receiptsRoot: root, headerReceiptsRoot: block.receiptsRoot, logsBloomMatches, verified: mismatches.length === 0, mismatches };
}
