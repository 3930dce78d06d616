import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import type { Product } from '../../../functions/inventory/domain/product';
export { seededRandom } from '../../support/seeded-random';

export const PRODUCT_ID = 'prd_01JD0000000000000000000000';
export const OTHER_PRODUCT_ID = 'prd_01JD0000000000000000000001';
export const FIXED_NOW = '2026-11-26T12:00:00.000Z';

export function aProduct(overrides: Partial<Product> = {}): Product {
  return {
    productId: PRODUCT_ID,
    name: 'Espresso cup',
    priceCents: 1_250,
    currency: 'USD',
    available: 10,
    reserved: 0,
    sold: 0,
    version: 1,
    ...overrides,
  };
}

/** A stopped clock and numbered event ids, so expectations can name them. */
export function fixedContext(overrides: Partial<Pick<CommandContext, 'traceHeader'>> = {}): CommandContext {
  let next = 0;
  return {
    correlationId: 'corr-1',
    causationId: 'req-1',
    ...overrides,
    now: () => new Date(FIXED_NOW),
    newEventId: () => `evt-${++next}`,
  };
}

/** Pauses that end on the next macrotask: racing writers interleave without waiting real time. */
export const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const ORDER_ID = 'ord_01JD0000000000000000000000';
export const OTHER_ORDER_ID = 'ord_01JD0000000000000000000001';

/** The n-th order id of a test (a valid `ord_` + ULID). */
export function orderId(n: number): string {
  return `ord_01JD${String(n).padStart(22, '0')}`;
}

/** The n-th product id of a test (a valid `prd_` + ULID). */
export function productId(n: number): string {
  return `prd_01JD${String(n).padStart(22, '0')}`;
}
