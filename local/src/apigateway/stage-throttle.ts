/**
 * API Gateway's stage throttling (REST): a token bucket per method of a stage, `burstLimit` tokens
 * refilled at `rateLimit` a second, one taken per request; none left, the request is answered 429
 * before its authorizer or integration runs. A method's own `MethodSettings` entry wins over the
 * stage's default (`/*`, `*`), which applies to every other method, each with a bucket of its own.
 * The account-level limits and usage plans are not enforced.
 */
import type { MethodThrottle, Route } from './rest-api-model';

interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

/** The throttle that applies to `route`: its own, its resource's for every method, or the stage's. */
export function throttleFor(
  throttles: readonly MethodThrottle[] | undefined,
  route: Pick<Route, 'method' | 'resourcePath'>,
): MethodThrottle | undefined {
  const matching = (resourcePath: string, httpMethod: string) =>
    throttles?.find((t) => t.resourcePath === resourcePath && t.httpMethod === httpMethod);
  return (
    matching(route.resourcePath, route.method) ?? matching(route.resourcePath, '*') ?? matching('/*', '*')
  );
}

export class StageThrottle {
  private readonly buckets = new Map<string, Bucket>();

  /** @param now milliseconds of a monotonic clock */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes a token for a request to `route` of `stage`; `false` when the method's bucket is empty. */
  admit(
    apiId: string,
    stage: string,
    throttles: readonly MethodThrottle[] | undefined,
    route: Pick<Route, 'method' | 'resourcePath'>,
  ): boolean {
    const limit = throttleFor(throttles, route);
    if (limit === undefined) return true;
    const key = `${apiId}/${stage}/${route.method} ${route.resourcePath}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burstLimit, refilledAtMs: now };
    this.buckets.set(key, bucket);
    bucket.tokens = Math.min(
      limit.burstLimit,
      bucket.tokens + ((now - bucket.refilledAtMs) / 1_000) * limit.rateLimit,
    );
    bucket.refilledAtMs = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
