/**
 * The gas schedule. Every executor charges exactly these amounts at exactly the same points, so
 * gasUsed (and out-of-gas) is identical whichever mode runs the block.
 */
export const GAS = {
  /**
   * Intrinsic cost of any transaction: covers the validate phase (signature included, whether or
   * not this run checks it, so gas never depends on how the block is run) and the settlement.
   */
  txBase: 21_000,
  read: 200,
  write: 5_000,
  call: 700,
  event: 375,
  /** Charged at every function entry and loop iteration of instrumented contract code. */
  step: 1,
} as const;

/**
 * Contract function frames (all contracts, all call depths) alive at once. Deeper recursion
 * reverts, so it fails identically on every thread whatever its stack size.
 */
export const MAX_CONTRACT_FRAMES = 1024;
