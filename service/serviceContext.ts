/**
 * What the routes share: the chain behind its commit queue, the mempool, the metrics, and the
 * policies every block is run under.
 */
import type { EnforcementPolicy } from "../core/types.js";
import type { ChainHandle } from "./chainHandle.js";
import type { ServiceMetrics } from "./metrics.js";
import type { ServiceMempool } from "./serviceMempool.js";

export interface ServiceContext {
  readonly handle: ChainHandle;
  readonly mempool: ServiceMempool;
  readonly metrics: ServiceMetrics;
  readonly enforce: EnforcementPolicy;
  readonly checkSignatures: boolean;
}
