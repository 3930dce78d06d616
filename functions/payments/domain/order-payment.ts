/**
 * An order's payment as the choreographed saga drives it:
 *
 * | status      | reached on                                                         |
 * | ----------- | ------------------------------------------------------------------ |
 * | `WAITING`   | `OrderCreated`: the amount and the means are known                 |
 * | `CHARGING`  | the stock is held (`OrderStockReserved`) and, where needed, the order approved |
 * | `CAPTURED`  | the charge went through (`PaymentCaptured`)                        |
 * | `DECLINED`  | the card or account refused (`PaymentDeclined`)                    |
 * | `FAILED`    | no charge could be made; anything captured was refunded (`PaymentFailed`) |
 * | `REFUNDED`  | the order was cancelled after its charge (`PaymentRefunded`)       |
 * | `CANCELLED` | the order was cancelled before any charge (or before payments saw it: a tombstone) |
 *
 * The last four are final.
 */
import type { PaymentSource } from './payment';

export const ORDER_PAYMENT_STATUSES = [
  'WAITING',
  'CHARGING',
  'CAPTURED',
  'DECLINED',
  'FAILED',
  'REFUNDED',
  'CANCELLED',
] as const;
export type OrderPaymentStatus = (typeof ORDER_PAYMENT_STATUSES)[number];

export interface OrderPayment {
  readonly orderId: string;
  readonly status: OrderPaymentStatus;
  /** None on a tombstone. */
  readonly charge?: {
    readonly userId: string;
    readonly amountCents: number;
    readonly currency: string;
    readonly payment: PaymentSource;
    readonly approvalRequired: boolean;
  };
  readonly stockReserved: boolean;
  readonly approved: boolean;
  /** ISO-8601 instant of the first charge attempt: the wait for an unavailable processor counts from it. */
  readonly chargeStartedAt?: string;
}

/** The stock is held and, where the order needs one, its approval given. */
export function isReadyToCharge(payment: OrderPayment): boolean {
  return (
    payment.status === 'WAITING' &&
    payment.charge !== undefined &&
    payment.stockReserved &&
    (!payment.charge.approvalRequired || payment.approved)
  );
}
