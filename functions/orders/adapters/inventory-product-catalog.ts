import { z } from 'zod';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import type { ProductResponse } from '../../inventory/contracts';
import type { CatalogCallContext, ProductCatalog, ProductPrice } from '../ports/product-catalog';

export const INVENTORY_DEPENDENCY = 'inventory';

export interface InventoryProductCatalogOptions {
  /** The REST API's stage URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`. */
  readonly baseUrl: string;
  /** Per attempt: an attempt still running after it is aborted and counts as a timeout. */
  readonly timeoutMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** @default 50 */
  readonly baseDelayMs?: number;
  /** @default 500 */
  readonly maxDelayMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** The part of inventory's `GET /products/{productId}` answer (its published contract) that orders read. */
const PricedProduct = z.object({
  productId: z.string().min(1),
  priceCents: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
}) satisfies z.ZodType<Pick<ProductResponse, 'productId' | 'priceCents' | 'currency'>>;

type Attempt =
  | { readonly done: true; readonly price: ProductPrice | undefined }
  | { readonly done: false; readonly error: unknown };

/**
 * Prices from the inventory context's REST API, found through API Gateway (server-side discovery).
 * Each attempt has its own timeout; only timeouts, network failures and 5xx are retried, with full
 * jitter backoff; 404 means the product does not exist. Whatever else goes wrong is the dependency's
 * fault: `DependencyUnavailableError`, a 503 to the client.
 */
export class InventoryProductCatalog implements ProductCatalog {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: InventoryProductCatalogOptions) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, not ${options.maxAttempts}.`);
    }
    if (!(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}.`);
    // `new URL('products/x', base)` drops the stage unless the base ends with a slash.
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 500;
  }

  async priceOf(productId: string, context: CatalogCallContext): Promise<ProductPrice | undefined> {
    const url = new URL(`products/${encodeURIComponent(productId)}`, this.baseUrl);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (attempt > 1) {
        const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 2));
        await this.sleep(Math.floor(this.random() * ceiling));
      }
      const outcome = await this.attempt(url, productId, context);
      if (outcome.done) return outcome.price;
      lastError = outcome.error;
    }
    throw new DependencyUnavailableError(
      INVENTORY_DEPENDENCY,
      'The inventory service did not answer; retry the request later.',
      { cause: lastError, retryAfterSeconds: 1 },
    );
  }

  /** One request: a final answer, or a retryable failure. */
  private async attempt(url: URL, productId: string, context: CatalogCallContext): Promise<Attempt> {
    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: { Accept: 'application/json', 'X-Correlation-Id': context.correlationId },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      // A timeout or a connection that failed before any answer: a GET is safe to send again.
      return { done: false, error };
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { done: true, price: undefined };
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      return { done: false, error: new Error(`inventory answered ${response.status}`) };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable(`inventory answered ${response.status} for product ${productId}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw unavailable(`inventory answered product ${productId} with a body that is not JSON`, error);
    }
    const parsed = PricedProduct.safeParse(body);
    if (!parsed.success) {
      throw unavailable(`inventory answered product ${productId} in an unexpected shape`, parsed.error);
    }
    return {
      done: true,
      price: { productId, unitPriceCents: parsed.data.priceCents, currency: parsed.data.currency },
    };
  }
}

function unavailable(reason: string, cause?: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError(
    INVENTORY_DEPENDENCY,
    'The inventory service gave an unusable answer.',
    {
      cause: cause === undefined ? new Error(reason) : new Error(reason, { cause }),
    },
  );
}
