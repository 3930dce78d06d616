/**
 * Where a card token waits for its charge, and nowhere else. The order's events, the bus, the saga's
 * history, the payment record and the logs name a card payment by its method alone; the token the
 * customer gave is kept here, per order, from the moment the order is placed until its charge is
 * settled (captured, declined or refunded), then forgotten. An expiry (the table's TTL) forgets the
 * tokens of orders that never reached their charge.
 */
export interface CardVault {
  /** Keeps `token` for the order's charge; a repeated call (a retried request) keeps the latest. */
  keep(orderId: string, token: string): Promise<void>;
  /** The token kept for the order; undefined once forgotten (or never kept). */
  tokenOf(orderId: string): Promise<string | undefined>;
  /** Forgets the order's token; forgetting one already gone is not an error. */
  forget(orderId: string): Promise<void>;
}
