/**
 * All 46 shipped mainnet blocks verified one after another, with their prediction accuracy:
 * `PRESCIENT_EVM_ALL_BLOCKS=1 npx vitest run test/evm/allBlocks.test.ts` (a few minutes; not part
 * of npm test, which verifies a subset across the hardforks).
 */
import { describe, expect, it } from "vitest";
import { mainnetBlockNumbers, mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { runEvmBlock } from "../../evm/runEvmBlock.js";

describe.skipIf(process.env.PRESCIENT_EVM_ALL_BLOCKS !== "1")("all 46 mainnet blocks", () => {
  const numbers = mainnetBlockNumbers();

  it("are all shipped", () => {
    expect(numbers).toHaveLength(46);
  });

  for (const number of numbers) {
    it(`block ${number} verifies, and its exact sets never miss`, async () => {
      const report = await runEvmBlock({ source: mainnetBlockSource(number) });
      const p = report.prediction!;
      process.stdout.write(
        `| ${number} | ${report.hardfork} | ${report.receipts.length} | ${report.verified} | ${report.stats.wallMs.toFixed(0)} | ${p.predictedMatched}/${p.predicted} | ${p.exactEqual}/${p.exact} | ${p.unknown} | ${p.wallMs.toFixed(0)} |\n`,
      );
      expect(report.mismatches).toEqual([]);
      expect(report.verified).toBe(true);
      expect(p.exactCovered).toBe(p.exact);
    }, 300_000);
  }
});
