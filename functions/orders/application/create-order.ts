import type { ErrorDetail } from '../../../shared/errors/app-error';
import type { CommandContext } from '../../../shared/event-sourcing';
import type { CardPayment, OrderLine, SagaMode } from '../domain/order';
import type { ProductCatalog, ProductPrice } from '../ports/product-catalog';
import { CurrencyMismatchError, UnknownProductError } from './errors';
import type { OrderRunner } from './order-runner';

export interface CreateOrderInput {
  readonly userId: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  /** Charged by the saga once the stock is reserved (and the order approved, where it must be). */
  readonly payment: CardPayment;
  readonly saga: SagaMode;
}

export interface PlacedOrder {
  readonly orderId: string;
  readonly status: 'PENDING';
  readonly totalCents: number;
  readonly currency: string;
}

export interface CreateOrderDeps {
  readonly runner: OrderRunner;
  readonly catalog: ProductCatalog;
  readonly newOrderId: () => string;
  /**
   * Price look-ups in flight at once: an order of 50 lines should not open 50 connections to inventory.
   * @default 8
   */
  readonly pricingConcurrency?: number;
}

export type CreateOrder = (input: CreateOrderInput, context: CommandContext) => Promise<PlacedOrder>;

/**
 * Prices every line at the inventory's current unit price (never a price the client sends), then
 * appends `OrderCreated` as version 1 of a new order.
 */
export function makeCreateOrder(deps: CreateOrderDeps): CreateOrder {
  const concurrency = deps.pricingConcurrency ?? 8;
  return async (input, context) => {
    const prices = await mapWithConcurrency(input.items, concurrency, (item) =>
      deps.catalog.priceOf(item.productId, { correlationId: context.correlationId }),
    );
    const { lines, currency } = priceLines(input.items, prices);
    const orderId = deps.newOrderId();
    const { state } = await deps.runner.run(
      orderId,
      {
        type: 'CreateOrder',
        orderId,
        userId: input.userId,
        items: lines,
        currency,
        saga: input.saga,
        payment: { method: input.payment.method, token: input.payment.token },
      },
      context,
    );
    if (state.status === 'NONE') throw new Error(`order ${orderId} was not created`);
    return { orderId, status: 'PENDING', totalCents: state.totalCents, currency: state.currency };
  };
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
