import type { SyntheticShop } from '../ports/synthetic-shop';

/** What the check saw: the order placed, and whether (and how soon) the read model showed it. */
export interface SyntheticOrderOutcome {
  readonly passed: boolean;
  readonly orderId?: string;
  /** Its status when the read model first showed it. */
  readonly status?: string;
  readonly elapsedMs: number;
  readonly error?: unknown;
}

export interface SyntheticOrderCheckDependencies {
  readonly shop: SyntheticShop;
  /** How long the read model may take to show the order. */
  readonly timeoutMs: number;
  /** @default 250 */
  readonly pollMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The after-traffic check of a deployment on the order path: a synthetic order placed through the API
 * (so through every `live` alias it meets) must reach the read model within `timeoutMs`.
 */
export type SyntheticOrderCheck = () => Promise<SyntheticOrderOutcome>;

export function makeSyntheticOrderCheck(deps: SyntheticOrderCheckDependencies): SyntheticOrderCheck {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 250;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async () => {
    const started = now();
    let orderId: string | undefined;
    try {
      orderId = await deps.shop.placeOrder();
      for (;;) {
        const status = await deps.shop.statusOf(orderId);
        if (status !== undefined) return { passed: true, orderId, status, elapsedMs: now() - started };
        if (now() - started >= deps.timeoutMs) return { passed: false, orderId, elapsedMs: now() - started };
        await sleep(pollMs);
      }
    } catch (error) {
      return {
        passed: false,
        ...(orderId === undefined ? {} : { orderId }),
        elapsedMs: now() - started,
        error,
      };
    }
  };
}
