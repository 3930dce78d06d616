import { checkRetryPolicy, fullJitterDelay } from '../../../shared/outbox/retry-policy';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('fullJitterDelay', () => {
  it('draws below a ceiling that doubles per attempt made, up to the cap', () => {
    // Act
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempts) => fullJitterDelay(attempts, policy, () => 0.999_999));

    // Assess
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('can draw zero: the jitter is full, not half', () => {
    // Act
    const delay = fullJitterDelay(3, policy, () => 0);

    // Assess
    expect(delay).toBe(0);
  });
});

describe('checkRetryPolicy', () => {
  it.each([
    [{ ...policy, maxAttempts: 0 }, /maxAttempts must be an integer of at least 1/],
    [{ ...policy, maxAttempts: 1.5 }, /maxAttempts/],
    [{ ...policy, baseDelayMs: -1 }, /baseDelayMs must be 0 or more/],
    [{ ...policy, maxDelayMs: 50 }, /maxDelayMs \(50\) must be at least retry.baseDelayMs \(100\)/],
  ])('refuses %j', (bad, message) => {
    // Act
    const check = () => checkRetryPolicy(bad);

    // Assess
    expect(check).toThrow(message);
  });

  it('accepts a single attempt without delays', () => {
    // Act
    const check = () => checkRetryPolicy({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 });

    // Assess
    expect(check).not.toThrow();
  });
});
