/**
 * The inventory steps of the orchestrated PlaceOrder saga: Lambda functions the state machine invokes
 * (`LambdaInvoke` with `payloadResponseOnly`), their payloads, answers and business errors. A business
 * outcome is an error whose `name` is one of `STOCK_STEP_ERRORS` (Lambda's `errorType`, what a
 * `Catch` matches); any other error is transient or unknown, and the steps are safe to retry.
 */

/** One product of an order and its units. */
export interface StockLine {
  /** `prd_` + ULID. */
  readonly productId: string;
  /** A positive whole number of units. */
  readonly quantity: number;
}

/**
 * The payload of `reserve-stock`, `release-stock` and `commit-stock`. Other fields (e.g. the saga's
 * whole input, with `unitPriceCents` on the items) are ignored; each product appears once.
 */
export interface StockStepInput {
  /** `ord_` + ULID: each order holds at most one reservation per product. */
  readonly orderId: string;
  /** 1 to `MAX_STOCK_STEP_ITEMS` lines. */
  readonly items: readonly StockLine[];
  /** Carried into the events and every log line; the order id when absent. */
  readonly correlationId?: string;
}

/** `reserve-stock`: every line is held for the order (a retry answers the same). */
export interface ReserveStockOutput {
  readonly orderId: string;
  readonly reserved: readonly StockLine[];
}

/**
 * `release-stock`: the lines whose units went (or had gone) back to available for this order; a
 * product the order held nothing of is left out (it is marked released, so no late reserve holds it).
 */
export interface ReleaseStockOutput {
  readonly orderId: string;
  readonly released: readonly StockLine[];
}

/** `commit-stock`: every line is sold (a retry answers the same). */
export interface CommitStockOutput {
  readonly orderId: string;
  readonly committed: readonly StockLine[];
}

/** The `name` (Lambda `errorType`) of each business error of the inventory steps. */
export const STOCK_STEP_ERRORS = {
  /** `reserve-stock`: a product is short, unknown, or its reservation for the order was released. */
  outOfStock: 'OutOfStock',
  /** `commit-stock`: the order holds no reservation of a product, or it was released. */
  reservationNotFound: 'ReservationNotFound',
  /** Any step: the payload breaks the schema above; retrying cannot help. */
  invalidInput: 'InvalidSagaInput',
} as const;

/** Lines per step: twice what an order holds (50). */
export const MAX_STOCK_STEP_ITEMS = 100;
