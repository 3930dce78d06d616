/** The body of every product answer of the inventory API (`POST /products`, `GET /products/{productId}`, restock). */
export interface ProductResponse {
  /** `prd_` + ULID. */
  readonly productId: string;
  readonly name: string;
  /** Unit price in minor units of `currency` (cents for USD). */
  readonly priceCents: number;
  /** ISO 4217, e.g. `USD`. */
  readonly currency: string;
  /** Units that can be sold now. */
  readonly available: number;
  /** Units held for orders not yet paid. */
  readonly reserved: number;
  readonly sold: number;
  /** Incremented by every change; the optimistic lock. */
  readonly version: number;
}
