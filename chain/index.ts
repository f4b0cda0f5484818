/**
 * `prescient/chain`: a chain across blocks — the contracts deployed once, one worker pool, the
 * state in memory or in an LMDB state directory, blocks executed and committed one after another.
 */
export { Chain, type ChainHead, type CommitBlockParameters, type CommitBlockReturnType, type OpenChainParameters } from "./chain.js";
