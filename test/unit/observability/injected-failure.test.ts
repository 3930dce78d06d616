import { InjectedFailureError, withInjectedFailures } from '../../../shared/observability/injected-failure';

describe('withInjectedFailures', () => {
  const handler = async (value: number): Promise<number> => value * 2;

  it('is the handler itself when the build injects no failures', () => {
    expect(withInjectedFailures(handler, 0)).toBe(handler);
    expect(withInjectedFailures(handler)).toBe(handler);
  });

  it('fails the draws below the rate with an unhandled error, and runs the handler for the others', async () => {
    // Prepare
    const draws = [0.05, 0.5, 0.29, 0.3];
    const failing = withInjectedFailures(handler, 0.3, () => draws.shift() ?? 1);

    // Act
    const outcomes = await Promise.allSettled([failing(1), failing(2), failing(3), failing(4)]);

    // Assess
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(InjectedFailureError);
    expect((outcomes[3] as PromiseFulfilledResult<number>).value).toBe(8);
  });
});
