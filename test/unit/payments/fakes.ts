import { InMemoryCardVault } from '../../../functions/payments/adapters/in-memory-card-vault';
import { InMemoryPaymentRepository } from '../../../functions/payments/adapters/in-memory-payment-repository';
import {
  makeChargePayment,
  type ChargePaymentCommand,
} from '../../../functions/payments/application/charge-payment';
import { providerPolicy } from '../../../functions/payments/application/provider-policy';
import { makeRefundPayment } from '../../../functions/payments/application/refund-payment';
import {
  ProviderRejectedError,
  ProviderTransientError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type ProviderCharge,
  type ProviderRefund,
  type RefundRequest,
} from '../../../functions/payments/ports/payment-provider';
import type { PaymentSource } from '../../../functions/payments/domain/payment';
import { CircuitBreaker, InMemoryCircuitBreakerStore, type CallBudget } from '../../../shared/resilience';
import { silentLogger } from '../../../shared/observability/app-logger';

export const ORDER_ID = 'ord_01JD0000000000000000000000';
export const OTHER_ORDER_ID = 'ord_01JD0000000000000000000001';
/** The customer whose orders these tests pay. */
export const USER_ID = 'usr_01JD0000000000000000000001';
export const FIXED_NOW = '2026-11-26T12:00:00.000Z';
/** The customer's account the fake takes money from, and one holding too little. */
export const ACCOUNT_ID = 'acc_01JD0000000000000000000001';
export const BROKE_ACCOUNT_ID = 'acc_01JD0000000000000000000002';

/**
 * What the next call meets: the processor failing (5xx) or unreachable before it did anything, or —
 * `lost-answer` — doing the work and then not answering in time; replaying a stored 5xx; still busy
 * with an earlier request with the key (`in-progress`); refusing the request; `none`: it answers.
 */
export type Fault =
  'none' | 'server-error' | 'network' | 'lost-answer' | 'replayed-error' | 'in-progress' | 'rejected';

interface StoredCharge {
  readonly request: ChargeRequest;
  readonly result: ChargeResult;
}

/**
 * The card processor of the contract, in memory: charges and refunds by idempotency key (a key seen
 * before replays its first answer), `tok_visa` captures, `tok_decline` declines. `failNext` queues
 * faults, one per coming call.
 */
export class FakeCardProcessor implements PaymentProvider {
  readonly calls: { readonly operation: 'charge' | 'list' | 'refund'; readonly key?: string }[] = [];
  private readonly faults: Fault[] = [];
  private readonly chargesByKey = new Map<string, StoredCharge>();
  private readonly refundsByKey = new Map<string, ProviderRefund>();
  private readonly refunded = new Map<string, number>();
  private nextId = 1;
  /** Runs inside the next charge call, before it answers (e.g. another invocation writing). */
  duringNextCharge?: () => Promise<void>;

  failNext(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.calls.push({ operation: 'charge', key: request.idempotencyKey });
    const hook = this.duringNextCharge;
    this.duringNextCharge = undefined;
    await hook?.();
    return this.answer(() => {
      const stored = this.chargesByKey.get(request.idempotencyKey);
      if (stored !== undefined) {
        return stored.result.outcome === 'captured' ? { ...stored.result, replayed: true } : stored.result;
      }
      const { source } = request;
      const result: ChargeResult =
        (source.method === 'card' && source.token === 'tok_visa') ||
        (source.method === 'account' && source.accountId !== BROKE_ACCOUNT_ID)
          ? {
              outcome: 'captured',
              chargeId: `ch_${this.nextId++}`,
              amountCents: request.amountCents,
              currency: request.currency,
              replayed: false,
            }
          : { outcome: 'declined', code: source.method === 'card' ? 'card_declined' : 'insufficient_funds' };
      this.chargesByKey.set(request.idempotencyKey, { request, result });
      return result;
    });
  }

  async listCharges(orderId: string): Promise<readonly ProviderCharge[]> {
    this.calls.push({ operation: 'list' });
    return this.answer(() => this.chargesOf(orderId));
  }

  async refund(request: RefundRequest): Promise<ProviderRefund> {
    this.calls.push({ operation: 'refund', key: request.idempotencyKey });
    return this.answer(() => {
      const stored = this.refundsByKey.get(request.idempotencyKey);
      if (stored !== undefined) return stored;
      const charge = [...this.chargesByKey.values()]
        .map(({ result }) => result)
        .find((result) => result.outcome === 'captured' && result.chargeId === request.chargeId);
      if (charge === undefined || charge.outcome !== 'captured') {
        throw new ProviderRejectedError(404, 'resource_missing', 'no such charge');
      }
      const left = charge.amountCents - (this.refunded.get(request.chargeId) ?? 0);
      const amountCents = request.amountCents ?? left;
      if (amountCents > left) throw new ProviderRejectedError(409, 'amount_too_large', 'too much');
      this.refunded.set(request.chargeId, (this.refunded.get(request.chargeId) ?? 0) + amountCents);
      const refund = { refundId: `re_${this.nextId++}`, chargeId: request.chargeId, amountCents };
      this.refundsByKey.set(request.idempotencyKey, refund);
      return refund;
    });
  }

  /** The order's charges as the processor lists them. */
  chargesOf(orderId: string): ProviderCharge[] {
    return [...this.chargesByKey.values()].flatMap(({ request, result }) =>
      request.orderId === orderId && result.outcome === 'captured'
        ? [
            {
              chargeId: result.chargeId,
              orderId,
              status: 'succeeded',
              amountCents: result.amountCents,
              currency: result.currency,
              refundedCents: this.refunded.get(result.chargeId) ?? 0,
            },
          ]
        : [],
    );
  }

  count(operation: 'charge' | 'list' | 'refund'): number {
    return this.calls.filter((call) => call.operation === operation).length;
  }

  private async answer<T>(work: () => T): Promise<T> {
    await Promise.resolve();
    const fault = this.faults.shift();
    switch (fault) {
      case 'server-error':
        throw new ProviderTransientError('server-error', 'the processor answered 503', { status: 503 });
      case 'network':
        throw new ProviderTransientError('network', 'the request failed before an answer');
      case 'replayed-error':
        throw new ProviderTransientError('replayed-error', 'the processor answered 500 (replayed)', {
          status: 500,
          code: 'processing_error',
        });
      case 'in-progress':
        throw new ProviderTransientError('in-progress', 'the processor answered 409 request_in_progress', {
          status: 409,
        });
      case 'rejected':
        throw new ProviderRejectedError(409, 'key_reused', 'the key was used with another body');
      case 'lost-answer':
        work();
        throw new ProviderTransientError('timeout', 'no answer within 2000 ms');
      case 'none':
      case undefined:
        return work();
    }
  }
}

export const silentBreakerLogger = silentLogger;
export const silentBreakerMetrics = {
  singleMetric: () => ({ addDimensions: () => undefined, addMetric: () => undefined }),
};

export interface PaymentsOptions {
  readonly failureThreshold?: number;
  readonly maxAttempts?: number;
}

/** The use cases on an in-memory repository, the fake processor and a real breaker and retry policy. */
export function payments(options: PaymentsOptions = {}) {
  const repository = new InMemoryPaymentRepository();
  const processor = new FakeCardProcessor();
  const store = new InMemoryCircuitBreakerStore();
  let clock = Date.parse(FIXED_NOW);
  const breaker = new CircuitBreaker({
    name: 'payment-provider',
    store,
    failureThreshold: options.failureThreshold ?? 5,
    resetTimeoutMs: 30_000,
    now: () => clock,
    logger: silentBreakerLogger,
    metrics: silentBreakerMetrics,
  });
  const pauses: number[] = [];
  const call = providerPolicy({
    breaker,
    maxAttempts: options.maxAttempts ?? 3,
    attemptReserveMs: 3_000,
    sleep: async (ms) => void pauses.push(ms),
    random: () => 0.5,
  });
  // The accounts context stands behind the same policy as the card processor, with its own fake.
  const accounts = new FakeCardProcessor();
  const processors = {
    card: { name: 'The card processor', provider: processor, call },
    account: { name: 'The accounts context', provider: accounts, call },
  };
  const cardVault = new InMemoryCardVault();
  /** Every outcome counted, `metric` or `metric/reason`. */
  const counted: string[] = [];
  const countOutcome = (metric: string, reason?: string) =>
    void counted.push(reason === undefined ? metric : `${metric}/${reason}`);
  const deps = { repository, processors, cardVault, countOutcome, now: () => new Date(FIXED_NOW) };
  const chargePayment = makeChargePayment(deps);
  return {
    repository,
    processor,
    accounts,
    breaker,
    pauses,
    cardVault,
    counted,
    advanceClock: (ms: number) => void (clock += ms),
    /** The use case as the saga invokes it, the order's card token already in the vault (or not). */
    chargePayment,
    /** A charge of an order placed with `token`: kept in the vault as the order was, then charged. */
    charge: async (command: ChargeFixture, budget?: CallBudget) => {
      const { token, ...chargeCommand } = command;
      if (token !== undefined) await cardVault.keep(command.orderId, token);
      return chargePayment(chargeCommand, budget);
    },
    refund: makeRefundPayment(deps),
  };
}

/** A charge command, and the card token its order was placed with (absent for an account). */
export type ChargeFixture = ChargePaymentCommand & { readonly token?: string };

export const aCharge = (
  overrides: Partial<{ orderId: string; token: string; amountCents: number; payment: PaymentSource }> = {},
): ChargeFixture => {
  const { token = 'tok_visa', payment = { method: 'card' }, ...rest } = overrides;
  return {
    orderId: ORDER_ID,
    userId: USER_ID,
    amountCents: 3_000,
    currency: 'USD',
    payment,
    correlationId: 'corr-1',
    ...(payment.method === 'card' ? { token } : {}),
    ...rest,
  };
};

/** Runs `act`, expecting it to reject, and returns what it rejected with. */
export async function rejectionOf(act: Promise<unknown>): Promise<Error> {
  try {
    await act;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-error: ${String(error)}`);
  }
  throw new Error('expected a rejection');
}
