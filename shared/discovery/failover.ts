import type { ServiceInstance } from './service-instance';

export interface FailoverOptions {
  /**
   * Whether an error says the instance is down (no connection, 502/503/504), so another may answer.
   * Only such errors fail over: a timeout may have done the work, and a refusal would be refused by
   * every instance alike.
   */
  readonly isInstanceDown: (error: unknown) => boolean;
  /** Told of each instance found down. */
  readonly onInstanceDown?: (from: ServiceInstance, error: unknown) => void;
}

/**
 * Calls the first candidate; while an instance is down, the next one. The last error is thrown when
 * every candidate was down, so that the circuit breaker around this call counts one failure for the
 * service, not one for each of its instances.
 */
export async function callWithFailover<T>(
  candidates: readonly ServiceInstance[],
  call: (instance: ServiceInstance) => Promise<T>,
  options: FailoverOptions,
): Promise<T> {
  if (candidates.length === 0) throw new RangeError('callWithFailover needs at least one candidate');
  let lastError: unknown;
  for (const instance of candidates) {
    try {
      return await call(instance);
    } catch (error) {
      if (!options.isInstanceDown(error)) throw error;
      lastError = error;
      options.onInstanceDown?.(instance, error);
    }
  }
  throw lastError;
}
