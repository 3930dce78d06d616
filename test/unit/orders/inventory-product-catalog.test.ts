import { InventoryProductCatalog } from '../../../functions/orders/adapters/inventory-product-catalog';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { KEYBOARD } from './fakes';

type Answer = Response | Error | 'hang';

/** `fetch` answering from a script, one entry per call, recording what was asked. */
function scriptedFetch(...answers: Answer[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    const answer = answers.shift() ?? new Error('no more answers');
    if (answer === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof fetch;
  return { fetchFn, calls };
}

const product = (priceCents = 4_999, currency = 'USD') =>
  new Response(
    JSON.stringify({
      productId: KEYBOARD,
      name: 'Keyboard',
      priceCents,
      currency,
      available: 3,
      reserved: 0,
      sold: 0,
      version: 1,
    }),
    { status: 200, headers: { 'Content-Type': 'application/json' } },
  );
const status = (code: number) =>
  new Response(JSON.stringify({ error: { code: 'X', message: 'x' } }), { status: code });

function catalogWith(
  fetchFn: typeof fetch,
  overrides: Partial<ConstructorParameters<typeof InventoryProductCatalog>[0]> = {},
) {
  const sleeps: number[] = [];
  const catalog = new InventoryProductCatalog({
    baseUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
    timeoutMs: 50,
    maxAttempts: 3,
    fetch: fetchFn,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...overrides,
  });
  return { catalog, sleeps };
}

const context = { correlationId: 'corr-1', authorization: 'eyJ.test-id-token.sig' };

type TimedAnswer = 'timeout' | number;

/**
 * The invocation on a fake clock: `remainingTimeMs` counts down to the deadline, the catalog's pauses
 * advance the clock, and each `fetch` takes its time — a status answers after 20 ms, a `'timeout'`
 * takes the attempt's whole timeout and rejects as `AbortSignal.timeout` does.
 */
function clockedInvocation(remainingMs: number, timeoutMs: number, ...answers: TimedAnswer[]) {
  let now = 0;
  const calledAt: number[] = [];
  const sleeps: number[] = [];
  const fetchFn = (async () => {
    calledAt.push(now);
    await Promise.resolve();
    const answer = answers.shift() ?? 500;
    if (answer === 'timeout') {
      now += timeoutMs;
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    }
    now += 20;
    return answer === 200 ? product() : status(answer);
  }) as typeof fetch;
  return {
    fetchFn,
    calledAt,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    budget: { remainingTimeMs: () => remainingMs - now },
    elapsed: () => now,
  };
}

describe('InventoryProductCatalog', () => {
  it('reads the unit price from GET /products/{productId} under the stage, with the correlation id', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(product());
    const { catalog } = catalogWith(fetchFn);

    // Act
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price).toEqual({ productId: KEYBOARD, unitPriceCents: 4_999, currency: 'USD' });
    expect(calls).toEqual([
      {
        url: `https://abc.execute-api.us-east-1.amazonaws.com/prod/products/${KEYBOARD}`,
        headers: {
          Accept: 'application/json',
          Authorization: 'eyJ.test-id-token.sig',
          'X-Correlation-Id': 'corr-1',
        },
      },
    ]);
  });

  it('keeps the stage of a base URL without a trailing slash (as the local cloud rewrites it)', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(product());
    const { catalog } = catalogWith(fetchFn, {
      baseUrl: 'http://127.0.0.1:3000/restapis/abc/prod/_user_request_',
    });

    // Act
    await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(calls[0]?.url).toBe(`http://127.0.0.1:3000/restapis/abc/prod/_user_request_/products/${KEYBOARD}`);
  });

  it('over discovered instances: one that answers 503 or cannot be reached is skipped within the attempt', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(
      status(503),
      product(),
      new TypeError('fetch failed'),
      product(),
    );
    const { catalog, sleeps } = catalogWith(fetchFn, {
      baseUrl: undefined,
      instances: async () => [
        { instanceId: 'a', url: 'https://a.example.com/prod/', weight: 1 },
        { instanceId: 'b', url: 'https://b.example.com/prod/', weight: 1 },
      ],
    });

    // Act
    const first = await catalog.priceOf(KEYBOARD, context);
    const second = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect([first?.unitPriceCents, second?.unitPriceCents]).toEqual([4_999, 4_999]);
    expect(calls.map(({ url }) => new URL(url).host)).toEqual([
      'a.example.com',
      'b.example.com',
      'a.example.com',
      'b.example.com',
    ]);
    expect(sleeps).toEqual([]);
  });

  it('over discovered instances: a timeout or a 500 is retried after a pause, not failed over', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(status(500), product());
    const { catalog, sleeps } = catalogWith(fetchFn, {
      baseUrl: undefined,
      instances: async () => [
        { instanceId: 'a', url: 'https://a.example.com/prod/', weight: 1 },
        { instanceId: 'b', url: 'https://b.example.com/prod/', weight: 1 },
      ],
    });

    // Act
    await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(calls.map(({ url }) => new URL(url).host)).toEqual(['a.example.com', 'a.example.com']);
    expect(sleeps).toHaveLength(1);
  });

  it('answers undefined for a product inventory does not have (404), without retrying', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(status(404));
    const { catalog } = catalogWith(fetchFn);

    // Act
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('retries 5xx, network failures and timeouts with growing, jittered backoff, then succeeds', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(status(503), new TypeError('fetch failed'), 'hang', product());
    const retries: unknown[] = [];
    const { catalog, sleeps } = catalogWith(fetchFn, {
      maxAttempts: 4,
      onRetry: ({ productId, attempt, delayMs }) => retries.push({ productId, attempt, delayMs }),
    });

    // Act
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price?.unitPriceCents).toBe(4_999);
    expect(calls).toHaveLength(4);
    // Half of the ceilings 100, 200, 400 ms (random() = 0.5).
    expect(sleeps).toEqual([50, 100, 200]);
    expect(retries).toEqual([
      { productId: KEYBOARD, attempt: 1, delayMs: 50 },
      { productId: KEYBOARD, attempt: 2, delayMs: 100 },
      { productId: KEYBOARD, attempt: 3, delayMs: 200 },
    ]);
  });

  it('caps the pauses at 1 s', async () => {
    // Prepare
    const { fetchFn } = scriptedFetch(...Array.from({ length: 6 }, () => status(500)), product());
    const { catalog, sleeps } = catalogWith(fetchFn, { maxAttempts: 7, random: () => 0.999 });

    // Act
    await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(sleeps).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('retries a body cut off by the timeout', async () => {
    // Prepare: the headers arrive in time, the body never ends
    let calls = 0;
    const fetchFn = (async (_input: string | URL | Request, init?: RequestInit) => {
      calls += 1;
      if (calls > 1) return product();
      const signal = init?.signal;
      const body = new ReadableStream<Uint8Array>({
        start: (controller) => signal?.addEventListener('abort', () => controller.error(signal.reason)),
      });
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
    }) as typeof fetch;
    const { catalog } = catalogWith(fetchFn);

    // Act
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price?.unitPriceCents).toBe(4_999);
    expect(calls).toBe(2);
  });

  it('gives up after maxAttempts with 503 DEPENDENCY_UNAVAILABLE, keeping the last failure as cause', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(status(500), status(502), 'hang');
    const { catalog } = catalogWith(fetchFn);

    // Act
    const result = catalog.priceOf(KEYBOARD, context);

    // Assess
    await expect(result).rejects.toThrow(DependencyUnavailableError);
    await expect(result).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      dependency: 'inventory',
      retryAfterSeconds: 1,
      cause: {
        message: `inventory did not answer for product ${KEYBOARD} within 50 ms`,
        cause: { name: 'TimeoutError' },
      },
    });
    expect(calls).toHaveLength(3);
  });

  it.each<[string, Answer]>([
    ['a 429', status(429)],
    ['a 403 (no such route)', status(403)],
    ['a body that is not JSON', new Response('<html>', { status: 200 })],
    [
      'a product without a price',
      new Response(JSON.stringify({ productId: KEYBOARD, currency: 'USD' }), { status: 200 }),
    ],
  ])('does not retry %s and answers DEPENDENCY_UNAVAILABLE', async (_label, answer) => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(answer, product());
    const { catalog } = catalogWith(fetchFn);

    // Act
    const result = catalog.priceOf(KEYBOARD, context);

    // Assess
    await expect(result).rejects.toThrow(DependencyUnavailableError);
    expect(calls).toHaveLength(1);
  });

  it.each([0, 1.5])('refuses maxAttempts %p', (maxAttempts) => {
    expect(() => catalogWith(scriptedFetch().fetchFn, { maxAttempts })).toThrow(/maxAttempts/);
  });

  it('refuses a negative answer reserve', () => {
    expect(() => catalogWith(scriptedFetch().fetchFn, { answerReserveMs: -1 })).toThrow(/answerReserveMs/);
  });

  describe('within the invocation’s remaining time', () => {
    const timeoutMs = 3_000;

    function budgetedCatalog(invocation: ReturnType<typeof clockedInvocation>, maxAttempts = 5) {
      return new InventoryProductCatalog({
        baseUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
        timeoutMs,
        maxAttempts,
        fetch: invocation.fetchFn,
        sleep: invocation.sleep,
        random: () => 0.999,
      });
    }

    it('retries timeouts and 5xx while an attempt fits, and answers the price', async () => {
      // Prepare: 19.5 s left, as at the start of the create function's 20 s
      const invocation = clockedInvocation(19_500, timeoutMs, 'timeout', 503, 'timeout', 200);
      const catalog = budgetedCatalog(invocation);

      // Act
      const price = await catalog.priceOf(KEYBOARD, context, invocation.budget);

      // Assess
      expect(price?.unitPriceCents).toBe(4_999);
      expect(invocation.calledAt).toEqual([0, 3_099, 3_318, 6_717]);
    });

    it('starts no attempt whose whole timeout and the answer’s reserve do not fit, and answers 503', async () => {
      // Prepare: 10 s left; each attempt needs 3 s plus 1 s to answer
      const invocation = clockedInvocation(10_000, timeoutMs, 'timeout', 'timeout', 'timeout', 'timeout');
      const catalog = budgetedCatalog(invocation);

      // Act
      const result = catalog.priceOf(KEYBOARD, context, invocation.budget);

      // Assess: after the first timeout 7 000 ms are left (a pause and 4 s fit), after the second 3 901 ms
      await expect(result).rejects.toThrow(DependencyUnavailableError);
      await expect(result).rejects.toMatchObject({ cause: { cause: { name: 'TimeoutError' } } });
      expect(invocation.calledAt).toEqual([0, 3_099]);
      expect(invocation.sleeps).toEqual([99]);
      expect(invocation.budget.remainingTimeMs()).toBeGreaterThanOrEqual(1_000);
    });

    it('makes no call at all when the first attempt cannot fit', async () => {
      // Prepare
      const invocation = clockedInvocation(3_999, timeoutMs, 200);
      const catalog = budgetedCatalog(invocation);

      // Act
      const result = catalog.priceOf(KEYBOARD, context, invocation.budget);

      // Assess
      await expect(result).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        cause: { message: '3999 ms left, not enough for an attempt and the answer (4000 ms)' },
      });
      expect(invocation.calledAt).toEqual([]);
    });

    it('stops at maxAttempts even with time left', async () => {
      // Prepare
      const invocation = clockedInvocation(60_000, timeoutMs, 500, 500, 500, 500, 500, 200);
      const catalog = budgetedCatalog(invocation);

      // Act
      const result = catalog.priceOf(KEYBOARD, context, invocation.budget);

      // Assess
      await expect(result).rejects.toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        cause: { message: `inventory answered 500 for product ${KEYBOARD}` },
      });
      expect(invocation.calledAt).toHaveLength(5);
    });

    it('does not retry a 404, whatever the time left', async () => {
      // Prepare
      const invocation = clockedInvocation(19_500, timeoutMs, 404, 200);
      const catalog = budgetedCatalog(invocation);

      // Act
      const price = await catalog.priceOf(KEYBOARD, context, invocation.budget);

      // Assess
      expect(price).toBeUndefined();
      expect(invocation.calledAt).toEqual([0]);
    });
  });
});
