import { answeringStartupProbe, startupProbeClientContext } from '../../../shared/aws/startup-probe';

/** The context Lambda's Node.js runtime gives a handler: the client context parsed as it was sent. */
const contextOf = (clientContext: unknown) => ({ clientContext, awsRequestId: 'r-1' });

describe("a deployment's start-up probe", () => {
  const calls: unknown[] = [];
  const handler = answeringStartupProbe(async (event: unknown, _context: unknown) => {
    calls.push(event);
    return { handled: event };
  });

  beforeEach(() => {
    calls.length = 0;
  });

  test('is answered without running the handler when the client context carries it', async () => {
    // Prepare: the client context as Invoke sends it, decoded as Lambda does.
    const sent: unknown = JSON.parse(Buffer.from(startupProbeClientContext(), 'base64').toString('utf8'));

    // Act
    const answer = await handler({ Records: [{ poison: true }] }, contextOf(sent));

    // Assess
    expect(answer).toEqual({ ready: true });
    expect(calls).toEqual([]);
  });

  test.each([
    ['no client context', undefined],
    ['a client context without the probe', { custom: { tenant: 'a' } }],
    ['a client context that is not an object', 'startupProbe'],
  ])('leaves every other invocation to the handler: %s', async (_case, clientContext) => {
    // Act
    const answer = await handler({ orderId: 'ord_1' }, contextOf(clientContext));

    // Assess
    expect(answer).toEqual({ handled: { orderId: 'ord_1' } });
    expect(calls).toHaveLength(1);
  });

  test("reads the older SDKs' `Custom` too", async () => {
    // Act
    const answer = await handler({}, contextOf({ Custom: { startupProbe: true } }));

    // Assess
    expect(answer).toEqual({ ready: true });
  });
});
