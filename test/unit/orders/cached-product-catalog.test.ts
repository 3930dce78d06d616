import { CachedProductCatalog } from '../../../functions/orders/adapters/cached-product-catalog';
import type {
  CatalogCallContext,
  ProductCatalog,
  ProductPrice,
} from '../../../functions/orders/ports/product-catalog';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import type { CallBudget } from '../../../shared/resilience';
import { KEYBOARD, MOUSE } from './fakes';

const TTL_MS = 60_000;
const context: CatalogCallContext = { correlationId: 'corr-1', authorization: 'eyJ.test-id-token.sig' };
const keyboard: ProductPrice = { productId: KEYBOARD, unitPriceCents: 4_999, currency: 'USD' };

type Outcome = ProductPrice | undefined | Error;

/**
 * The catalog behind the cache: answers from a script per product (the last answer repeats) and
 * records every call. `held` keeps the calls pending until `release()`.
 */
class ScriptedCatalog implements ProductCatalog {
  readonly calls: { productId: string; correlationId: string; budget: CallBudget | undefined }[] = [];
  private readonly waiting: (() => void)[] = [];
  held = false;

  constructor(private readonly answers: Record<string, Outcome[]>) {}

  async priceOf(productId: string, callContext: CatalogCallContext, budget?: CallBudget) {
    this.calls.push({ productId, correlationId: callContext.correlationId, budget });
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const script = this.answers[productId] ?? [undefined];
    const answer = script.length > 1 ? script.shift() : script[0];
    if (answer instanceof Error) throw answer;
    return answer;
  }

  release(): void {
    this.held = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** A clock the test moves; it starts above 0, which lru-cache would read as "no start time". */
function fakeClock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function cachedOver(inner: ProductCatalog, options: { maxEntries?: number } = {}) {
  const clock = fakeClock();
  const catalog = new CachedProductCatalog({ catalog: inner, ttlMs: TTL_MS, now: clock.now, ...options });
  return { catalog, clock };
}

describe('CachedProductCatalog', () => {
  it('serves a found price from memory within the TTL', async () => {
    // Prepare
    const inner = new ScriptedCatalog({ [KEYBOARD]: [keyboard] });
    const { catalog, clock } = cachedOver(inner);
    await catalog.priceOf(KEYBOARD, context);
    clock.advance(TTL_MS - 1);

    // Act
    const price = await catalog.priceOf(KEYBOARD, {
      correlationId: 'corr-2',
      authorization: 'eyJ.test-id-token.sig',
    });

    // Assess
    expect(price).toEqual(keyboard);
    expect(inner.calls).toHaveLength(1);
  });

  it('asks again once the TTL has passed, and serves the new price', async () => {
    // Prepare
    const repriced = { ...keyboard, unitPriceCents: 5_499 };
    const inner = new ScriptedCatalog({ [KEYBOARD]: [keyboard, repriced] });
    const { catalog, clock } = cachedOver(inner);
    await catalog.priceOf(KEYBOARD, context);
    clock.advance(TTL_MS + 1);

    // Act
    const price = await catalog.priceOf(KEYBOARD, {
      correlationId: 'corr-2',
      authorization: 'eyJ.test-id-token.sig',
    });

    // Assess
    expect(price).toEqual(repriced);
    expect(inner.calls.map((call) => call.correlationId)).toEqual(['corr-1', 'corr-2']);
  });

  it('keeps no miss: a product created a moment later is found', async () => {
    // Prepare
    const inner = new ScriptedCatalog({ [KEYBOARD]: [undefined, keyboard] });
    const { catalog } = cachedOver(inner);

    // Act
    const before = await catalog.priceOf(KEYBOARD, context);
    const after = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(before).toBeUndefined();
    expect(after).toEqual(keyboard);
    expect(inner.calls).toHaveLength(2);
  });

  it('keeps no failure: the error reaches the caller and the next look-up asks again', async () => {
    // Prepare
    const unavailable = new DependencyUnavailableError('inventory', 'The inventory service did not answer.');
    const inner = new ScriptedCatalog({ [KEYBOARD]: [unavailable, keyboard] });
    const { catalog } = cachedOver(inner);

    // Act
    const failed = catalog.priceOf(KEYBOARD, context);
    await expect(failed).rejects.toBe(unavailable);
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price).toEqual(keyboard);
    expect(inner.calls).toHaveLength(2);
  });

  it('answers a product no longer found after its TTL as not found', async () => {
    // Prepare
    const inner = new ScriptedCatalog({ [KEYBOARD]: [keyboard, undefined] });
    const { catalog, clock } = cachedOver(inner);
    await catalog.priceOf(KEYBOARD, context);
    clock.advance(TTL_MS + 1);

    // Act
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price).toBeUndefined();
  });

  it('shares one request among concurrent look-ups of a product, made with the first caller’s budget', async () => {
    // Prepare
    const inner = new ScriptedCatalog({ [KEYBOARD]: [keyboard], [MOUSE]: [undefined] });
    inner.held = true;
    const { catalog } = cachedOver(inner);
    const budget = { remainingTimeMs: () => 15_000 };

    // Act
    const pending = [
      catalog.priceOf(KEYBOARD, context, budget),
      catalog.priceOf(KEYBOARD, { correlationId: 'corr-2', authorization: 'eyJ.test-id-token.sig' }),
      catalog.priceOf(MOUSE, context, budget),
      catalog.priceOf(MOUSE, { correlationId: 'corr-2', authorization: 'eyJ.test-id-token.sig' }),
    ];
    inner.release();
    const prices = await Promise.all(pending);

    // Assess
    expect(prices).toEqual([keyboard, keyboard, undefined, undefined]);
    expect(inner.calls).toEqual([
      { productId: KEYBOARD, correlationId: 'corr-1', budget },
      { productId: MOUSE, correlationId: 'corr-1', budget },
    ]);
  });

  it('shares a failure among the concurrent look-ups that waited for it', async () => {
    // Prepare
    const unavailable = new DependencyUnavailableError('inventory', 'The inventory service did not answer.');
    const inner = new ScriptedCatalog({ [KEYBOARD]: [unavailable] });
    inner.held = true;
    const { catalog } = cachedOver(inner);

    // Act
    const pending = [catalog.priceOf(KEYBOARD, context), catalog.priceOf(KEYBOARD, context)];
    inner.release();
    const outcomes = await Promise.allSettled(pending);

    // Assess
    expect(outcomes).toEqual([
      { status: 'rejected', reason: unavailable },
      { status: 'rejected', reason: unavailable },
    ]);
    expect(inner.calls).toHaveLength(1);
  });

  it('keeps at most maxEntries prices, dropping the least recently used', async () => {
    // Prepare
    const mouse: ProductPrice = { productId: MOUSE, unitPriceCents: 1_250, currency: 'USD' };
    const inner = new ScriptedCatalog({ [KEYBOARD]: [keyboard], [MOUSE]: [mouse] });
    const { catalog } = cachedOver(inner, { maxEntries: 1 });
    await catalog.priceOf(KEYBOARD, context);
    await catalog.priceOf(MOUSE, context);

    // Act
    await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(inner.calls.map((call) => call.productId)).toEqual([KEYBOARD, MOUSE, KEYBOARD]);
  });

  it.each([0, -1, 1.5])('refuses a TTL of %p', (ttlMs) => {
    expect(() => new CachedProductCatalog({ catalog: new ScriptedCatalog({}), ttlMs })).toThrow(/ttlMs/);
  });

  it('refuses a maxEntries of 0', () => {
    expect(
      () => new CachedProductCatalog({ catalog: new ScriptedCatalog({}), ttlMs: TTL_MS, maxEntries: 0 }),
    ).toThrow(/maxEntries/);
  });
});
