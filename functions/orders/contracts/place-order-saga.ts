/**
 * The orders side of the orchestrated PlaceOrder saga: what the starter hands to `StartExecution`, what
 * each orders step function accepts and answers, and the error names the state machine matches
 * (`errorType` = the thrown error's `name`). The state machine lives in
 * `infra/constructs/place-order-saga.ts`; other contexts' steps have their own contracts.
 */
import * as z from 'zod';
import { isId } from '../../../shared/ids/ids';

const orderId = z.string().refine((value) => isId('order', value), {
  error: 'must be an order id (ord_ followed by a ULID)',
});
const nonEmpty = z.string().min(1);
const correlationId = z.string().min(1).max(256).optional();

/** The execution's input; `StartExecution` names the execution after `orderId`. */
export const PlaceOrderSagaInputSchema = z.object({
  orderId,
  userId: nonEmpty,
  items: z
    .array(
      z.object({
        productId: nonEmpty,
        quantity: z.number().int().positive(),
        unitPriceCents: z.number().int().positive(),
      }),
    )
    .min(1),
  totalCents: z.number().int().nonnegative(),
  currency: z.string().length(3),
  payment: z.discriminatedUnion('method', [
    // No token: the charge step takes it from payments' card vault, so no execution's history holds it.
    z.strictObject({ method: z.literal('card') }),
    z.object({
      method: z.literal('account'),
      accountId: z.string().refine((value) => isId('account', value)),
    }),
  ]),
  correlationId: nonEmpty,
});
export type PlaceOrderSagaInput = z.infer<typeof PlaceOrderSagaInputSchema>;

/** Why the saga cancelled an order: the `reason` `cancel-order-saga` records. */
export const SAGA_CANCELLATION_REASONS = [
  'OUT_OF_STOCK',
  'APPROVAL_REJECTED',
  'APPROVAL_TIMEOUT',
  'PAYMENT_DECLINED',
  'PAYMENT_UNAVAILABLE',
  'CUSTOMER_CANCELLED',
  'SAGA_FAILED',
  // The choreography's watchdog: the order reached neither PAID nor CANCELLED in time.
  'SAGA_TIMED_OUT',
] as const;
export type SagaCancellationReason = (typeof SAGA_CANCELLATION_REASONS)[number];

/** `request-approval`, invoked with `.waitForTaskToken`: answers `{}`; the execution waits for the token. */
export const RequestApprovalInputSchema = z.object({
  orderId,
  // Step Functions task tokens are at most 2048 characters long.
  taskToken: z.string().min(1).max(2048),
  correlationId,
});
export type RequestApprovalInput = z.infer<typeof RequestApprovalInputSchema>;

/** `ensure-order-active` → `{ orderId, version }`, or throws `OrderCancelled`. */
export const EnsureOrderActiveInputSchema = z.object({ orderId, correlationId });
export type EnsureOrderActiveInput = z.infer<typeof EnsureOrderActiveInputSchema>;
export interface EnsureOrderActiveOutput {
  readonly orderId: string;
  /** The order's stream version the check was made on. */
  readonly version: number;
}

/** `confirm-order` → `{ orderId, status: 'PAID', version }`, or throws `OrderNotConfirmable`. */
export const ConfirmOrderInputSchema = z.object({
  orderId,
  chargeId: z.string().min(1).max(256),
  amountCents: z.number().int().nonnegative(),
  correlationId,
});
export type ConfirmOrderInput = z.infer<typeof ConfirmOrderInputSchema>;
export interface ConfirmOrderOutput {
  readonly orderId: string;
  readonly status: 'PAID';
  readonly version: number;
}

/** `cancel-order-saga` (a compensation) → `{ orderId, status: 'CANCELLED', reason }`, or throws `OrderNotCancellable`. */
export const CancelOrderSagaInputSchema = z.object({
  orderId,
  reason: z.enum(SAGA_CANCELLATION_REASONS),
  correlationId,
});
export type CancelOrderSagaInput = z.infer<typeof CancelOrderSagaInputSchema>;
export interface CancelOrderSagaOutput {
  readonly orderId: string;
  readonly status: 'CANCELLED';
  /** The reason the order's cancellation records: an earlier cancellation's when there was one. */
  readonly reason: string;
}

/** What `SendTaskSuccess` hands the waiting approval step (the state's result). */
export interface ApprovalTaskOutput {
  readonly orderId: string;
  readonly decision: 'approve';
  readonly comment?: string;
}

/** The `name` of each error the orders steps (and the approval callbacks) end a task with. */
export const ORDER_SAGA_ERRORS = {
  /** The step's input does not match its schema: a bug in the state machine, never retried. */
  invalidInput: 'InvalidSagaInput',
  /** The customer cancelled the order (a step found it cancelled, or their cancel failed the approval wait). */
  orderCancelled: 'OrderCancelled',
  /** The payment cannot confirm the order: a customer cancel won the race. */
  orderNotConfirmable: 'OrderNotConfirmable',
  /** The compensation found the order paid: it must not be cancelled. */
  orderNotCancellable: 'OrderNotCancellable',
  /** The approver rejected the order (`SendTaskFailure` of the approval wait). */
  approvalRejected: 'ApprovalRejected',
} as const;
export type OrderSagaErrorName = (typeof ORDER_SAGA_ERRORS)[keyof typeof ORDER_SAGA_ERRORS];
