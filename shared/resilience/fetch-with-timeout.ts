import { CallTimeoutError } from './errors';

/**
 * `fetch` with a deadline that really cancels the request: after `timeoutMs` an `AbortController`
 * aborts it (the connection is closed, nothing keeps running in the background) and the promise
 * rejects with `CallTimeoutError`, the abort as its `cause`. The deadline covers connecting, sending
 * and the response's headers; the timer is cleared as soon as the response arrives, so read its body
 * right away. An abort of the caller's own `init.signal` aborts the request too, and rejects with that
 * signal's reason rather than a timeout. Any other error (e.g. a refused connection) is passed on.
 */
export async function fetchWithTimeout(
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`fetchWithTimeout: timeoutMs must be a positive number, not ${timeoutMs}.`);
  }
  const controller = new AbortController();
  const callerSignal = init.signal ?? undefined;
  const followCaller = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) followCaller();
  else callerSignal?.addEventListener('abort', followCaller, { once: true });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`No response within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch (error) {
    if (timedOut) {
      throw new CallTimeoutError(`${describe(init.method, url)} did not answer within ${timeoutMs} ms.`, {
        cause: error,
        timeoutMs,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', followCaller);
  }
}

/** `POST https://host/path`, without the query (it may carry identifiers worth keeping out of logs). */
function describe(method: string | undefined, url: string | URL): string {
  const parsed = new URL(url);
  return `${(method ?? 'GET').toUpperCase()} ${parsed.origin}${parsed.pathname}`;
}
