/**
 * An NFT collection with a built-in marketplace: owners list tokens at a price in a payment
 * token fixed at deployment; buyers pay the seller and receive the NFT. The buyer names the
 * seller and the price, so a listing that changed under them reverts instead of surprising them
 * (and the accounts a purchase touches follow from its arguments).
 */
import { Contract, StorageMap, StorageValue, ZERO_ADDRESS, ensure, type Address } from "prescient/contract";

export default class NftMarket extends Contract {
  /** The ERC-20 that purchases are paid in; written only at deployment. */
  readonly paymentToken = new StorageValue<Address>("paymentToken", ZERO_ADDRESS);
  /** Who may mint; written only at deployment. */
  readonly minter = new StorageValue<Address>("minter", ZERO_ADDRESS);
  readonly owners = new StorageMap<bigint, Address>("owners", ZERO_ADDRESS);
  readonly prices = new StorageMap<bigint, bigint>("prices", 0n);

  mint(to: Address, tokenId: bigint): void {
    ensure(this.ctx.sender === this.minter.get(), "only the minter can mint");
    ensure(this.owners.get(tokenId) === ZERO_ADDRESS, "already minted");
    this.owners.set(tokenId, to);
    this.emit("Transfer", ZERO_ADDRESS, to, tokenId);
  }

  /** Lists `tokenId` for sale at `price` (0 delists). */
  list(tokenId: bigint, price: bigint): void {
    ensure(this.owners.get(tokenId) === this.ctx.sender, "not the owner");
    this.prices.set(tokenId, price);
    this.emit("Listed", tokenId, price);
  }

  buy(tokenId: bigint, seller: Address, price: bigint): void {
    const buyer = this.ctx.sender;
    ensure(this.owners.get(tokenId) === seller, "seller does not own the token");
    const listed = this.prices.get(tokenId);
    ensure(listed > 0n, "not for sale");
    ensure(listed === price, `price changed: listed at ${listed}`);
    ensure(buyer !== seller, "cannot buy from yourself");
    this.call(this.paymentToken.get(), "transferFrom", buyer, seller, price);
    this.owners.set(tokenId, buyer);
    this.prices.set(tokenId, 0n);
    this.emit("Sold", tokenId, seller, buyer, price);
  }

  ownerOf(tokenId: bigint): Address {
    return this.owners.get(tokenId);
  }
}
