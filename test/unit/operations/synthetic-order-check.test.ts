import { makeSyntheticOrderCheck } from '../../../functions/operations/application/synthetic-order-check';
import type { SyntheticShop } from '../../../functions/operations/ports/synthetic-shop';

/** A shop whose read model shows the order after `visibleAfterPolls` reads; a clock that polls advance. */
function harness(options: { visibleAfterPolls: number; placeFails?: Error; readFails?: Error }) {
  let clock = 0;
  let polls = 0;
  const shop: SyntheticShop = {
    placeOrder: async () => {
      if (options.placeFails) throw options.placeFails;
      return 'ord_1';
    },
    statusOf: async (orderId) => {
      polls += 1;
      if (options.readFails) throw options.readFails;
      return polls > options.visibleAfterPolls ? `PENDING:${orderId}` : undefined;
    },
  };
  const check = makeSyntheticOrderCheck({
    shop,
    timeoutMs: 1_000,
    pollMs: 250,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  return { check, polls: () => polls };
}

describe('the synthetic order check', () => {
  test('passes once the read model shows the order, with its status and how long it took', async () => {
    // Prepare
    const { check, polls } = harness({ visibleAfterPolls: 2 });

    // Act
    const outcome = await check();

    // Assess
    expect(outcome).toEqual({ passed: true, orderId: 'ord_1', status: 'PENDING:ord_1', elapsedMs: 500 });
    expect(polls()).toBe(3);
  });

  test('fails when the read model has not shown the order by the deadline', async () => {
    // Prepare
    const { check, polls } = harness({ visibleAfterPolls: 100 });

    // Act
    const outcome = await check();

    // Assess
    expect(outcome).toEqual({ passed: false, orderId: 'ord_1', elapsedMs: 1_000 });
    expect(polls()).toBe(5);
  });

  test.each([
    ['the order cannot be placed', { placeFails: new Error('POST /orders answered 503') }, {}],
    ['the order cannot be read', { readFails: new Error('GET answered 500') }, { orderId: 'ord_1' }],
  ])('fails, with the error, when %s', async (_case, failure, placed) => {
    // Prepare
    const { check } = harness({ visibleAfterPolls: 0, ...failure });

    // Act
    const outcome = await check();

    // Assess
    expect(outcome).toEqual({ passed: false, ...placed, elapsedMs: 0, error: expect.any(Error) });
  });
});
