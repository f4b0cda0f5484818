/**
 * Replays one record of an access trace: reads every key it read, spends work in proportion to
 * its gas, and writes every key it wrote with a value derived from what it read. Run over a
 * mainnet trace, a block keeps the real dependency structure of the original.
 *
 * The fee recipient's account is special: every transaction credits it a fee (a commutative
 * delta the executor applies), so a record mentions it only when the transaction reached it
 * directly; then the replay reads the recipient's native balance, which includes every earlier
 * fee credit, exactly like the original.
 */
import { ACCOUNTS_ADDRESS, Contract, StorageMap, hashValues, work } from "prescient/contract";


export default class KvReplay extends Contract {
  readonly data = new StorageMap<string, bigint>("data", 0n);

  exec(reads: string[], writes: string[], gasUsed: bigint): void {
    const feeRecipientKey = `acct:${this.ctx.block.sequencer}`;
    let acc = gasUsed;
    for (const key of reads) {
      acc = hashValues(acc, this.data.get(key));
      if (key === feeRecipientKey) acc = hashValues(acc, this.call<bigint>(ACCOUNTS_ADDRESS, "balanceOf", this.ctx.block.sequencer));
    }
    acc = hashValues(acc, work(Number(gasUsed), acc));
    for (const key of writes) this.data.set(key, hashValues(acc, key));
  }
}
