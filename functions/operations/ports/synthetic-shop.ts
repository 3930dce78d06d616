/** The shop as its synthetic customer sees it, through the public API. */
export interface SyntheticShop {
  /** Signs the synthetic customer in and places its order; answers the new order's id. */
  placeOrder(): Promise<string>;
  /** The order's status in the read model (`GET /orders/{orderId}`), or undefined while it is not there. */
  statusOf(orderId: string): Promise<string | undefined>;
}
