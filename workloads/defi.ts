/**
 * A realistic DeFi block: swaps on a USDC/WETH constant-product pool (every swap contends on the
 * pool's reserves), NFT purchases paid in USDC (independent of each other), and token and
 * native transfers among a population of traders. A few transactions fail the way real ones do:
 * swaps whose slippage bound is too tight, purchases of an NFT someone else bought first.
 */
import { ADDRESSES, WorkloadBuilder, type Workload, type WorkloadOptions } from "./builder.js";
import { nativeTransfer, nftBuy, swap, tokenTransfer } from "./tokens.js";

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;

export function defi(options: WorkloadOptions): Workload {
  const declare = options.declare ?? true;
  const traders = Math.max(4, options.accounts ?? Math.ceil(options.txs / 2));
  const b = new WorkloadBuilder(options.seed, options);
  const pool = ADDRESSES.pool;
  const minter = b.account(0);
  b.deploy(ADDRESSES.usdc, "token", { minter: minter.address });
  b.deploy(ADDRESSES.weth, "token", { minter: minter.address });
  b.deploy(pool, "amm", {
    token0: ADDRESSES.usdc,
    token1: ADDRESSES.weth,
    reserve0: 20_000_000n * E6,
    reserve1: 10_000n * E18,
    totalShares: 20_000_000n * E6,
    [`shares/${minter.address}`]: 20_000_000n * E6,
  });
  b.store(ADDRESSES.usdc, `balances/${pool}`, 20_000_000n * E6);
  b.store(ADDRESSES.weth, `balances/${pool}`, 10_000n * E18);
  b.deploy(ADDRESSES.nft, "nft", { paymentToken: ADDRESSES.usdc, minter: minter.address });

  let usdcSupply = 20_000_000n * E6;
  let wethSupply = 10_000n * E18;
  for (let i = 1; i <= traders; i++) {
    const t = b.account(i).address;
    b.store(ADDRESSES.usdc, `balances/${t}`, 100_000n * E6);
    b.store(ADDRESSES.weth, `balances/${t}`, 50n * E18);
    b.store(ADDRESSES.usdc, `allowances/${t}/${pool}`, 10n ** 30n);
    b.store(ADDRESSES.weth, `allowances/${t}/${pool}`, 10n ** 30n);
    b.store(ADDRESSES.usdc, `allowances/${t}/${ADDRESSES.nft}`, 10n ** 30n);
    usdcSupply += 100_000n * E6;
    wethSupply += 50n * E18;
  }
  b.store(ADDRESSES.usdc, "totalSupply", usdcSupply);
  b.store(ADDRESSES.weth, "totalSupply", wethSupply);

  // Listed NFTs, each owned by a trader; some will be bought twice in the block (one reverts).
  const listings: { tokenId: bigint; seller: number; price: bigint }[] = [];
  const nftCount = Math.max(1, Math.floor(options.txs / 2));
  for (let id = 0; id < nftCount; id++) {
    const seller = 1 + b.random.int(traders);
    const price = b.random.bigint(10n, 5_000n) * E6;
    listings.push({ tokenId: BigInt(id), seller, price });
    b.store(ADDRESSES.nft, `owners/${id}`, b.account(seller).address);
    b.store(ADDRESSES.nft, `prices/${id}`, price);
  }

  for (let i = 0; b.txs.length < options.txs; i++) {
    const traderIndex = 1 + b.random.int(traders);
    const trader = b.account(traderIndex);
    const roll = b.random.next();
    if (roll < 0.3) {
      const usdcIn = b.random.next() < 0.6;
      const amountIn = usdcIn ? b.random.bigint(100n, 20_000n) * E6 : b.random.bigint(1n, 10n) * (E18 / 10n);
      // 5% of swaps ask for more than any pool state can give: a slippage revert.
      const minOut = b.random.next() < 0.05 ? 10n ** 40n : 0n;
      b.call(trader, swap(trader.address, usdcIn ? ADDRESSES.usdc : ADDRESSES.weth, amountIn, minOut, declare));
    } else if (roll < 0.5) {
      const listing = listings[b.random.int(listings.length)]!;
      if (listing.seller === traderIndex) continue;
      b.call(trader, nftBuy(trader.address, listing.tokenId, b.account(listing.seller).address, listing.price, declare));
    } else if (roll < 0.85) {
      let to = 1 + b.random.int(traders);
      if (to === traderIndex) to = 1 + (to % traders);
      const token = b.random.next() < 0.7 ? ADDRESSES.usdc : ADDRESSES.weth;
      const amount = token === ADDRESSES.usdc ? b.random.bigint(1n, 1_000n) * E6 : b.random.bigint(1n, 100n) * (E18 / 100n);
      b.call(trader, tokenTransfer(token, trader.address, b.account(to).address, amount, declare));
    } else {
      b.call(trader, nativeTransfer(trader.address, WorkloadBuilder.plainAddress(i), b.random.bigint(1n, 10n ** 15n), declare));
    }
  }
  return b.build();
}
