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

const context = { correlationId: 'corr-1' };

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
        headers: { Accept: 'application/json', 'X-Correlation-Id': 'corr-1' },
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

  it('retries 5xx, network failures and timeouts with growing backoff, then succeeds', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(status(503), new TypeError('fetch failed'), 'hang', product());
    const { catalog, sleeps } = catalogWith(fetchFn, { maxAttempts: 4 });

    // Act
    const price = await catalog.priceOf(KEYBOARD, context);

    // Assess
    expect(price?.unitPriceCents).toBe(4_999);
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([25, 50, 100]);
  });

  it('gives up after maxAttempts with 503 DEPENDENCY_UNAVAILABLE, keeping the last failure as cause', async () => {
    // Prepare
    const { fetchFn, calls } = scriptedFetch(status(500), status(502), 'hang');
    const { catalog } = catalogWith(fetchFn);

    // Act
    const result = catalog.priceOf(KEYBOARD, context);

    // Assess
    await expect(result).rejects.toThrow(DependencyUnavailableError);
    await expect(result).rejects.toMatchObject({ dependency: 'inventory', cause: { name: 'TimeoutError' } });
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
});
