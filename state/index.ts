/**
 * `prescient/state`: the world state — in memory, in shared memory for the worker threads (over an
 * optional base), and the LMDB state directory a chain is kept in.
 */
export { State, stateRoot, type StateBase, type StateBaseSource, type StateChange, type StateStore } from "./state.js";
export { stateFromGenesis, stateToGenesisJson, withAccountContract } from "./genesis.js";
export { SharedState, type CreateSharedStateParameters, type SharedStateBuffers, type ValuesSnapshot } from "./sharedState.js";
export {
  HeadMovedError,
  STATE_FORMAT,
  StateDb,
  type ChainHead,
  type ChainRecord,
  type CommitParameters,
  type InitializeStateDbParameters,
  type StoredContract,
} from "./stateDb.js";
