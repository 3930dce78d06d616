/**
 * The payments context's card vault, as the orders context uses it: a new order's card token is handed
 * over there before the order is recorded, so that no event, saga input or log of the order holds it.
 * The charge step takes it from there.
 */
export interface CardVault {
  /**
   * Keeps the token for the order's charge. Throws `DependencyUnavailableError` when the vault cannot
   * be reached (the order is then not placed; the client may retry).
   */
  keep(orderId: string, token: string): Promise<void>;
}
