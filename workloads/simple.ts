/**
 * The transfer workloads of the Block-STM and grevm evaluations: independent native and token
 * transfers, p2p among K accounts, a hot-account share, and a fully dependent chain.
 */
import { ADDRESSES, WorkloadBuilder, type Workload, type WorkloadOptions } from "./builder.js";
import { nativeTransfer, tokenTransfer } from "./tokens.js";

const TOKEN_BALANCE = 10n ** 30n;

function withToken(builder: WorkloadBuilder): void {
  builder.deploy(ADDRESSES.usdc, "token", { minter: ADDRESSES.sequencer });
}

/** Independent native transfers: sender i pays a fresh receiver i. */
export function transfers(options: WorkloadOptions): Workload {
  const b = new WorkloadBuilder(options.seed, options);
  for (let i = 0; i < options.txs; i++) {
    const sender = b.account(i);
    b.call(sender, nativeTransfer(sender.address, WorkloadBuilder.plainAddress(i), b.random.bigint(1n, 1000n), options.declare ?? true));
  }
  return b.build();
}

/** Independent ERC-20 transfers: sender i pays a fresh receiver i. */
export function erc20(options: WorkloadOptions): Workload {
  const b = new WorkloadBuilder(options.seed, options);
  withToken(b);
  for (let i = 0; i < options.txs; i++) {
    const sender = b.account(i);
    b.store(ADDRESSES.usdc, `balances/${sender.address}`, TOKEN_BALANCE);
    b.call(sender, tokenTransfer(ADDRESSES.usdc, sender.address, WorkloadBuilder.plainAddress(i), b.random.bigint(1n, 1000n), options.declare ?? true));
  }
  return b.build();
}

/** Native transfers between uniformly random distinct accounts among K (Block-STM's p2p). */
export function p2p(options: WorkloadOptions): Workload {
  const k = Math.max(2, options.accounts ?? 1000);
  const b = new WorkloadBuilder(options.seed, options);
  for (let i = 0; i < k; i++) b.account(i);
  for (let i = 0; i < options.txs; i++) {
    const from = b.random.int(k);
    let to = b.random.int(k - 1);
    if (to >= from) to++;
    const sender = b.account(from);
    b.call(sender, nativeTransfer(sender.address, b.account(to).address, b.random.bigint(1n, 1000n), options.declare ?? true));
  }
  return b.build();
}

/**
 * ERC-20 transfers where a share `hotRatio` of the transactions pay one of the hot accounts (the
 * first 10% of a population as large as the block); the rest pay fresh receivers (grevm's knob).
 */
export function hot(options: WorkloadOptions): Workload {
  const ratio = options.hotRatio ?? 0.3;
  const hotCount = Math.max(1, Math.floor((options.accounts ?? options.txs) / 10));
  const b = new WorkloadBuilder(options.seed, options);
  withToken(b);
  for (let i = 0; i < options.txs; i++) {
    const sender = b.account(i);
    b.store(ADDRESSES.usdc, `balances/${sender.address}`, TOKEN_BALANCE);
    const to = b.random.next() < ratio ? WorkloadBuilder.plainAddress(1_000_000_000 + b.random.int(hotCount)) : WorkloadBuilder.plainAddress(i);
    b.call(sender, tokenTransfer(ADDRESSES.usdc, sender.address, to, b.random.bigint(1n, 1000n), options.declare ?? true));
  }
  return b.build();
}

/** Every transaction depends on the previous one: account i pays account i+1, which pays next. */
export function chain(options: WorkloadOptions): Workload {
  const b = new WorkloadBuilder(options.seed, options);
  withToken(b);
  for (let i = 0; i < options.txs; i++) {
    const sender = b.account(i);
    const receiver = b.account(i + 1);
    if (i === 0) b.store(ADDRESSES.usdc, `balances/${sender.address}`, TOKEN_BALANCE);
    // Each sender forwards less than it just received, so the chain never runs dry.
    b.call(sender, tokenTransfer(ADDRESSES.usdc, sender.address, receiver.address, TOKEN_BALANCE - BigInt(i + 1), options.declare ?? true));
  }
  return b.build();
}
