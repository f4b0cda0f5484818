/**
 * `prescient/service`: the HTTP service (fastify) that serves one chain: docs/service.md.
 */
export { DEFAULT_BODY_LIMIT, createService, type CreateServiceParameters, type CreateServiceReturnType } from "./createService.js";
export type { ServiceChain } from "./chain.js";
export { LOG_LEVELS, type LogLevel, type ServiceLogOptions } from "./logging.js";
