import { LRUCache } from 'lru-cache';
import type { CallBudget } from '../../../shared/resilience';
import type { CatalogCallContext, ProductCatalog, ProductPrice } from '../ports/product-catalog';

/** More products than a burst of orders names; a few hundred bytes each, well under 1 MB in all. */
export const DEFAULT_MAX_ENTRIES = 1_000;

export interface CachedProductCatalogOptions {
  /** Where a price not in the cache (or older than `ttlMs`) is looked up. */
  readonly catalog: ProductCatalog;
  /** How long a found price is served without asking again; positive. */
  readonly ttlMs: number;
  /** The least recently used prices go first beyond this many. @default 1_000 */
  readonly maxEntries?: number;
  /**
   * Milliseconds on a monotonic clock, above 0 (lru-cache reads a start of 0 as "no TTL").
   * @default performance.now
   */
  readonly now?: () => number;
}

/** What the look-up that fills an entry is given: the first caller's. */
interface LookUp {
  readonly context: CatalogCallContext;
  readonly budget: CallBudget;
}

/**
 * A short-lived cache of found prices in front of another catalog, in the execution environment's
 * memory (built once per container). A price is served for `ttlMs` after it was read; a missing
 * product (`undefined`) and a failure are not kept, so a product created a moment later is found and
 * the next request tries again. Concurrent look-ups of one product share one request (lru-cache's
 * `fetch`), made with the first caller's correlation id and budget.
 */
export class CachedProductCatalog implements ProductCatalog {
  private readonly cache: LRUCache<string, ProductPrice, LookUp>;

  constructor(options: CachedProductCatalogOptions) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs < 1) {
      throw new RangeError(
        `ttlMs must be a positive integer, not ${options.ttlMs}; use the catalog itself for no cache.`,
      );
    }
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, not ${maxEntries}.`);
    }
    const catalog = options.catalog;
    this.cache = new LRUCache<string, ProductPrice, LookUp>({
      max: maxEntries,
      ttl: options.ttlMs,
      // Reads the clock on every check (a look-up is rare next to the HTTP call it saves), rather than
      // reusing one reading for a millisecond, so that an entry expires exactly at its TTL.
      ttlResolution: 0,
      ...(options.now === undefined ? {} : { perf: { now: options.now } }),
      // `undefined` (no such product) leaves nothing in the cache, nor does a rejection.
      fetchMethod: (productId, _stale, { context }) =>
        catalog.priceOf(productId, context.context, context.budget),
    });
  }

  priceOf(
    productId: string,
    context: CatalogCallContext,
    budget: CallBudget = {},
  ): Promise<ProductPrice | undefined> {
    return this.cache.fetch(productId, { context: { context, budget } });
  }
}
