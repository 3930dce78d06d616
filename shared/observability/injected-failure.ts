/**
 * Failures on purpose, to show a rollout catching a bad version (`npm run demo:canary`). The rate is a
 * build-time constant: the bundler replaces `process.env.SHOP_INJECTED_FAILURE_RATE` with the CDK
 * context `shop:injectedFailureRate` of a canary-delivered function (0 otherwise), so the version
 * built with it fails and the next build, without it, does not.
 */
const INJECTED_FAILURE_RATE = Number(process.env.SHOP_INJECTED_FAILURE_RATE ?? 0);

/** What a version built to fail throws: an unhandled error, as a real bug would be. */
export class InjectedFailureError extends Error {
  constructor() {
    super('This version was built to fail a share of its invocations (shop:injectedFailureRate).');
    this.name = 'InjectedFailureError';
  }
}

/** `handler`, failing the built-in share of its invocations first. */
export function withInjectedFailures<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
  rate: number = INJECTED_FAILURE_RATE,
  random: () => number = Math.random,
): (...args: A) => Promise<R> {
  if (!(rate > 0)) return handler;
  return async (...args) => {
    if (random() < rate) throw new InjectedFailureError();
    return handler(...args);
  };
}
