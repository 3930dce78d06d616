/**
 * The payments context's card vault API for the orders context: the card token of a new order, kept
 * until the order's charge is settled. Invoked directly (Lambda `Invoke`, `RequestResponse`, allowed to
 * the order-creating function alone), never through the public API, so that the token never enters an
 * event, the bus, the saga's history or a log.
 *
 * Every answer is a JSON object with an `outcome`; a function error (the invocation's `FunctionError`)
 * means the token may or may not be kept, and repeating the request is safe.
 */

export interface KeepCardTokenRequest {
  readonly operation: 'keep';
  /** `ord_` + ULID: the order whose charge takes the token. */
  readonly orderId: string;
  /** The card processor's token, e.g. `tok_visa`. */
  readonly token: string;
}

export type KeepCardTokenAnswer =
  | { readonly outcome: 'kept' }
  /** Not a request the vault takes; repeating it cannot change that. */
  | { readonly outcome: 'rejected'; readonly code: 'invalid_request'; readonly message: string };

/** Card tokens: `tok_` and 1 to 64 lower-case letters, digits or `_`. */
export const CARD_TOKEN_PATTERN = /^tok_[a-z0-9_]{1,64}$/;

/**
 * The vault's items in the payments table are keyed `card-token#<orderId>`: the stack lets the vault's
 * roles touch those keys alone (`dynamodb:LeadingKeys`).
 */
export const CARD_TOKEN_KEY_PREFIX = 'card-token#';
