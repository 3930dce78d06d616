import * as z from 'zod';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { retryWithBackoff, type CallBudget, type RetryInfo } from '../../../shared/resilience';
import type { ProductResponse } from '../../inventory/contracts';
import type { CatalogCallContext, ProductCatalog, ProductPrice } from '../ports/product-catalog';
import { definedProps } from '../../../shared/objects/defined-props';
import { callWithFailover, instanceSource, type ServiceInstance } from '../../../shared/discovery';

export const INVENTORY_DEPENDENCY = 'inventory';

/** The first pause's ceiling; it doubles per attempt (full jitter). */
export const DEFAULT_BASE_DELAY_MS = 100;
/**
 * Most failures under a burst are timeouts, which already space the attempts by their whole timeout:
 * a pause longer than a second would only spend the request's time, and up to 1 s of jitter is
 * enough to spread callers that got a 5xx together.
 */
export const DEFAULT_MAX_DELAY_MS = 1_000;
/**
 * Kept free after an attempt's whole timeout: appending `OrderCreated` and saving the idempotency
 * record take tens of milliseconds on AWS, more on a loaded machine.
 */
export const DEFAULT_ANSWER_RESERVE_MS = 1_000;

export interface InventoryProductCatalogOptions {
  /**
   * The REST API's stage URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`; or
   * `instances`, not both.
   */
  readonly baseUrl?: string;
  /**
   * Inventory's instances in the order to try them (a `DiscoveredService`'s `candidates`), asked at
   * each attempt: an attempt that finds one down (no connection, 502, 503, 504) goes to the next.
   */
  readonly instances?: () => Promise<readonly ServiceInstance[]>;
  /** Per attempt: an attempt still running after it is aborted and counts as a timeout. */
  readonly timeoutMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 1_000 */
  readonly maxDelayMs?: number;
  /**
   * With a budget, no attempt starts unless its whole `timeoutMs` plus this much is left of it, so
   * the function answers 503 itself rather than being cut off by its own timeout.
   * @default 1_000
   */
  readonly answerReserveMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Told before each pause. */
  readonly onRetry?: (retry: RetryInfo & { readonly productId: string }) => void;
}

/** The part of inventory's `GET /products/{productId}` answer (its published contract) that orders read. */
const PricedProduct = z.object({
  productId: z.string().min(1),
  priceCents: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/),
}) satisfies z.ZodType<Pick<ProductResponse, 'productId' | 'priceCents' | 'currency'>>;

/** No answer in time, no connection, or a 5xx: a GET is safe to send again. */
class InventoryNotAnswering extends Error {
  constructor(
    message: string,
    /** No connection, or its gateway's 502/503/504: another instance may answer at once. */
    readonly instanceDown: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

const isInstanceDown = (error: unknown): boolean =>
  error instanceof InventoryNotAnswering && error.instanceDown;

/**
 * Prices from the inventory context's REST API: its instances found in Cloud Map (client-side
 * discovery), each of them API Gateway in front of inventory's functions (server-side discovery).
 * Each attempt has its own timeout; only timeouts, network failures and 5xx are retried, through
 * `retryWithBackoff` (full jitter), within `maxAttempts` and the caller's `CallBudget`; 404 means the
 * product does not exist. Whatever else goes wrong is the dependency's fault, as is running out of
 * attempts or time: `DependencyUnavailableError`, a 503 to the client.
 */
export class InventoryProductCatalog implements ProductCatalog {
  private readonly instances: () => Promise<readonly ServiceInstance[]>;
  private readonly fetch: typeof fetch;
  private readonly answerReserveMs: number;

  constructor(private readonly options: InventoryProductCatalogOptions) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, not ${options.maxAttempts}.`);
    }
    if (!(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}.`);
    this.answerReserveMs = options.answerReserveMs ?? DEFAULT_ANSWER_RESERVE_MS;
    if (!(this.answerReserveMs >= 0)) {
      throw new RangeError(`answerReserveMs must be 0 or more, not ${this.answerReserveMs}.`);
    }
    this.instances = instanceSource(options, 'inventory');
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async priceOf(
    productId: string,
    context: CatalogCallContext,
    budget: CallBudget = {},
  ): Promise<ProductPrice | undefined> {
    const path = `products/${encodeURIComponent(productId)}`;
    const remaining = budget.remainingTimeMs;
    // What an attempt may take, and the answer after it: `retryWithBackoff` checks it before each
    // pause, this check before the first attempt.
    const attemptNeedsMs = this.options.timeoutMs + this.answerReserveMs;
    const left = remaining?.();
    if (left !== undefined && left < attemptNeedsMs) {
      throw notAnswered(
        new Error(`${left} ms left, not enough for an attempt and the answer (${attemptNeedsMs} ms)`),
      );
    }
    try {
      return await retryWithBackoff(() => this.attemptOnInstances(path, productId, context), {
        maxAttempts: this.options.maxAttempts,
        baseDelayMs: this.options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
        factor: 2,
        maxDelayMs: this.options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
        isRetryable: (error) => error instanceof InventoryNotAnswering,
        ...(remaining === undefined ? {} : { remainingTimeMs: remaining, safetyMarginMs: attemptNeedsMs }),
        ...definedProps({ sleep: this.options.sleep }),
        ...definedProps({ random: this.options.random }),
        onRetry: (info) => this.options.onRetry?.({ ...info, productId }),
      });
    } catch (error) {
      throw error instanceof InventoryNotAnswering ? notAnswered(error) : error;
    }
  }

  /** One attempt: the first instance, and the next while one is down. */
  private async attemptOnInstances(
    path: string,
    productId: string,
    context: CatalogCallContext,
  ): Promise<ProductPrice | undefined> {
    let candidates: readonly ServiceInstance[];
    try {
      candidates = await this.instances();
    } catch (error) {
      throw new InventoryNotAnswering(`no inventory instance found for product ${productId}`, false, {
        cause: error,
      });
    }
    return callWithFailover(
      candidates,
      (instance) => this.attempt(new URL(path, instance.url), productId, context),
      { isInstanceDown },
    );
  }

  /** One request: the price, `undefined` for a 404; `InventoryNotAnswering` is worth another attempt. */
  private async attempt(
    url: URL,
    productId: string,
    context: CatalogCallContext,
  ): Promise<ProductPrice | undefined> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: {
          Accept: 'application/json',
          Authorization: context.authorization,
          'X-Correlation-Id': context.correlationId,
        },
        signal,
      });
    } catch (error) {
      throw new InventoryNotAnswering(this.failed(productId, signal), !signal.aborted, { cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new InventoryNotAnswering(
        `inventory answered ${response.status} for product ${productId}`,
        [502, 503, 504].includes(response.status),
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unusable(`inventory answered ${response.status} for product ${productId}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // The timeout covers the body too: one cut off mid-way is a timeout, not a bad answer.
      if (signal.aborted) {
        throw new InventoryNotAnswering(this.failed(productId, signal), false, { cause: error });
      }
      throw unusable(`inventory answered product ${productId} with a body that is not JSON`, error);
    }
    const parsed = PricedProduct.safeParse(body);
    if (!parsed.success) {
      throw unusable(`inventory answered product ${productId} in an unexpected shape`, parsed.error);
    }
    return { productId, unitPriceCents: parsed.data.priceCents, currency: parsed.data.currency };
  }

  private failed(productId: string, signal: AbortSignal): string {
    return signal.aborted
      ? `inventory did not answer for product ${productId} within ${this.options.timeoutMs} ms`
      : `inventory could not be reached for product ${productId}`;
  }
}

/** Attempts or time spent: the client may try again in a moment. */
function notAnswered(cause: Error): DependencyUnavailableError {
  return new DependencyUnavailableError(
    INVENTORY_DEPENDENCY,
    'The inventory service did not answer; retry the request later.',
    { cause, retryAfterSeconds: 1 },
  );
}

function unusable(reason: string, cause?: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError(
    INVENTORY_DEPENDENCY,
    'The inventory service gave an unusable answer.',
    {
      cause: cause === undefined ? new Error(reason) : new Error(reason, { cause }),
    },
  );
}
