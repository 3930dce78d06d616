import type { ErrorDetail } from '../../../shared/errors/app-error';
import { UniqueKeyTakenError, type CommandContext } from '../../../shared/event-sourcing';
import { IdempotencyKeyReusedError } from '../../../shared/idempotency/errors';
import type { CallBudget } from '../../../shared/resilience';
import {
  isSamePayment,
  orderTotalCents,
  paymentOf,
  type OrderCreatedData,
  type OrderLine,
  type OrderPayment,
  type OrderState,
} from '../domain/order';
import type { CardVault } from '../ports/card-vault';
import type { ProductCatalog, ProductPrice } from '../ports/product-catalog';
import type { SagaStyleSetting } from '../ports/saga-style-setting';
import { CurrencyMismatchError, UnknownProductError } from './errors';
import type { OrderEventStore, OrderRunner } from './order-runner';

/** Scopes the request keys claimed in the event store by route, as `httpIdempotency` scopes its records. */
export const CREATE_ORDER_KEY_SCOPE = 'POST /orders';

export interface CreateOrderInput {
  /** The caller, who places the order for themselves. */
  readonly userId: string;
  /** The caller's ID token, with which inventory's prices are read. */
  readonly authorization: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  /**
   * Charged by the saga once the stock is reserved (and the order approved, where it must be). A card's
   * token goes to the card vault; the order keeps the method alone.
   */
  readonly payment: PaymentInput;
  /**
   * The request's `Idempotency-Key`: claimed with `OrderCreated`, so that no retry of the request can
   * create a second order, even one that finds no idempotency record.
   */
  readonly requestKey: string;
}

/** What the client pays with: a card by its processor token, or one of their accounts. */
export type PaymentInput =
  { readonly method: 'card'; readonly token: string } | Extract<OrderPayment, { method: 'account' }>;

export interface PlacedOrder {
  readonly orderId: string;
  readonly status: 'PENDING';
  readonly totalCents: number;
  readonly currency: string;
}

export interface CreateOrderDependencies {
  readonly runner: OrderRunner;
  /** Where a retried request finds the order its key created. */
  readonly store: Pick<OrderEventStore, 'load'>;
  readonly catalog: ProductCatalog;
  /** Where a card's token waits for the charge. */
  readonly cardVault: CardVault;
  readonly newOrderId: () => string;
  /** Which saga the new order runs: the deployment's setting at the time it is placed. */
  readonly sagaStyle: SagaStyleSetting;
  /**
   * Choreographed orders totalling at least this many minor units wait for a human approval (the
   * orchestrated saga decides that in its state machine, with the same threshold).
   */
  readonly approvalThresholdCents: number;
  /**
   * Price look-ups in flight at once: an order of 50 lines should not open 50 connections to inventory.
   * @default 8
   */
  readonly pricingConcurrency?: number;
}

/** `budget`: the request's remaining time, which bounds the price look-ups' retries. */
export type CreateOrder = (
  input: CreateOrderInput,
  context: CommandContext,
  budget?: CallBudget,
) => Promise<PlacedOrder>;

/**
 * Prices every line at the inventory's current unit price (never a price the client sends), hands a
 * card's token to the card vault under the new order's id, then appends `OrderCreated` (which names
 * the payment method, never the token) as version 1 of the order, claiming the request's key in the
 * same write. A token kept for an order that was then not recorded is never charged, and expires.
 * The new id has no history, so nothing is read before that append (`runner.create`).
 * A key claimed before is a request carried out before: the same request gets the order it created
 * back (`IdempotencyKeyReusedError` for another request), and nothing is appended.
 */
export function makeCreateOrder(deps: CreateOrderDependencies): CreateOrder {
  const concurrency = deps.pricingConcurrency ?? 8;
  return async (input, context, budget = {}) => {
    const prices = await mapWithConcurrency(input.items, concurrency, (item) =>
      deps.catalog.priceOf(
        item.productId,
        { correlationId: context.correlationId, authorization: input.authorization },
        budget,
      ),
    );
    const { lines, currency } = priceLines(input.items, prices);
    const orderId = deps.newOrderId();
    const saga = await deps.sagaStyle.current();
    if (input.payment.method === 'card') await deps.cardVault.keep(orderId, input.payment.token);
    let state: OrderState;
    try {
      ({ state } = await deps.runner.create(
        orderId,
        {
          type: 'CreateOrder',
          orderId,
          userId: input.userId,
          items: lines,
          currency,
          saga,
          ...(saga === 'choreographed'
            ? { approvalRequired: orderTotalCents(lines) >= deps.approvalThresholdCents }
            : {}),
          payment: paymentOf(input.payment),
        },
        context,
        { uniqueKey: createOrderKey(input) },
      ));
    } catch (error) {
      if (!(error instanceof UniqueKeyTakenError)) throw error;
      return placedEarlier(deps.store, error.claimedBy, input, error);
    }
    if (state.status === 'NONE') throw new Error(`order ${orderId} was not created`);
    return { orderId, status: 'PENDING', totalCents: state.totalCents, currency: state.currency };
  };
}

/** The claim of a request's key: by route and caller, so that two customers' keys never meet. */
export function createOrderKey(input: Pick<CreateOrderInput, 'userId' | 'requestKey'>): string {
  return `${CREATE_ORDER_KEY_SCOPE}#${input.userId}#${input.requestKey}`;
}

/**
 * The answer the first request with this key got, from the order it created (whatever its status
 * now), when `input` is that same request; `IdempotencyKeyReusedError` when it is another one.
 */
async function placedEarlier(
  store: Pick<OrderEventStore, 'load'>,
  orderId: string,
  input: CreateOrderInput,
  taken: UniqueKeyTakenError,
): Promise<PlacedOrder> {
  const [first] = await store.load(orderId);
  if (first?.type !== 'OrderCreated') {
    throw new Error(`order ${orderId} holds the key '${taken.key}' but has no OrderCreated`, {
      cause: taken,
    });
  }
  if (!isSameRequest(first.data, input)) throw new IdempotencyKeyReusedError({ cause: taken });
  const { totalCents, currency } = first.data;
  return { orderId, status: 'PENDING', totalCents, currency };
}

/** Compares what the client sent, not the prices: those are the inventory's, and may have changed since. */
function isSameRequest(created: OrderCreatedData, input: CreateOrderInput): boolean {
  return (
    created.userId === input.userId &&
    isSamePayment(created.payment, paymentOf(input.payment)) &&
    created.items.length === input.items.length &&
    created.items.every(
      (line, index) =>
        line.productId === input.items[index]?.productId && line.quantity === input.items[index]?.quantity,
    )
  );
}

function priceLines(
  items: CreateOrderInput['items'],
  prices: readonly (ProductPrice | undefined)[],
): { lines: OrderLine[]; currency: string } {
  const unknown: { productId: string; index: number }[] = [];
  const lines: OrderLine[] = [];
  items.forEach((item, index) => {
    const price = prices[index];
    if (price === undefined) unknown.push({ productId: item.productId, index });
    else
      lines.push({
        productId: item.productId,
        quantity: item.quantity,
        unitPriceCents: price.unitPriceCents,
      });
  });
  if (unknown.length > 0) {
    throw new UnknownProductError(
      unknown.map(({ productId }) => productId),
      unknown.map(({ index }) => ({ path: `items.${index}.productId`, message: 'is not a known product' })),
    );
  }
  const known = prices.filter((price): price is ProductPrice => price !== undefined);
  const currencies = [...new Set(known.map((price) => price.currency))];
  const [currency] = currencies;
  if (currency === undefined) throw new Error('an order without lines reached pricing');
  if (currencies.length > 1) {
    const details: ErrorDetail[] = known.map((price, index) => ({
      path: `items.${index}.productId`,
      message: `is priced in ${price.currency}`,
    }));
    throw new CurrencyMismatchError(currencies, details);
  }
  return { lines, currency };
}

/** `map` with at most `limit` calls running at once; results in input order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      // `index` is below `items.length`, so the item exists.
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
