/** Polls `probe` until it returns a value other than `undefined`, or fails after the deadline. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'the expected state' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface WaitOptions {
  /** Named in the timeout error. */
  readonly what?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
  /** Pause between checks; 0 only yields to the event loop (for tests on an injected clock). @default 10 */
  readonly intervalMs?: number;
}

/**
 * Polls until `check` holds: returns `true`, or — for an assertion callback — returns without
 * throwing. At the deadline it fails with the assertion's last error, or a timeout naming `what`.
 */
export async function waitUntil(check: () => boolean | void, options: WaitOptions = {}): Promise<void> {
  const { what = 'the condition', timeoutMs = 5_000, intervalMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      if (check() !== false) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw lastError ?? new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) =>
      intervalMs === 0 ? setImmediate(resolve) : setTimeout(resolve, intervalMs),
    );
  }
}
