import { InMemoryLedger } from '../../../functions/payment-provider/adapters/in-memory-ledger';
import { makeCreateCharge } from '../../../functions/payment-provider/application/create-charge';
import { makeCreateRefund } from '../../../functions/payment-provider/application/create-refund';
import type { CreateChargeRequest } from '../../../functions/payment-provider/contracts';
import type { Charge } from '../../../functions/payment-provider/domain/charge';

export const ORDER_ID = 'ord_01JD0000000000000000000000';
export const FIXED_NOW = '2026-11-26T12:00:00.000Z';
export const HANG_MS = 10_000;

/** A charge id of the processor's shape: `ch_` + a ULID ending in `n`. */
export const chargeId = (n: number): string => `ch_01JD${String(n).padStart(22, '0')}`;
export const refundId = (n: number): string => `re_01JD${String(n).padStart(22, '0')}`;

export function aCharge(overrides: Partial<Charge> = {}): Charge {
  return {
    chargeId: chargeId(1),
    orderId: ORDER_ID,
    amountCents: 3_000,
    currency: 'USD',
    refundedCents: 0,
    status: 'succeeded',
    createdAt: FIXED_NOW,
    ...overrides,
  };
}

export function aChargeRequest(overrides: Partial<CreateChargeRequest> = {}): CreateChargeRequest {
  return { amountCents: 3_000, currency: 'USD', token: 'tok_visa', orderId: ORDER_ID, ...overrides };
}

/** Pauses that end on the next macrotask: concurrent requests interleave without waiting real time. */
export const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The processor's use cases on an in-memory ledger, a clock that can be moved, numbered ids, and a
 * `sleep` that records each hang and returns at once (or waits for `releaseHangs` when `holdHangs`).
 */
export function processor(options: { holdHangs?: boolean } = {}) {
  const ledger = new InMemoryLedger();
  let nowMs = Date.parse(FIXED_NOW);
  let charges = 0;
  let refunds = 0;
  const hangs: number[] = [];
  const held: (() => void)[] = [];
  const sleep = (ms: number): Promise<void> => {
    hangs.push(ms);
    if (!options.holdHangs) return Promise.resolve();
    return new Promise((resolve) => held.push(resolve));
  };
  const now = () => new Date(nowMs);
  const createCharge = makeCreateCharge({
    ledger,
    newChargeId: () => chargeId(++charges),
    now,
    hangMs: HANG_MS,
    sleep,
  });
  const createRefund = makeCreateRefund({ ledger, newRefundId: () => refundId(++refunds), now });
  return {
    ledger,
    createCharge,
    createRefund,
    hangs,
    releaseHangs: () => held.splice(0).forEach((resolve) => resolve()),
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}
