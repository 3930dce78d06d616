/**
 * The `Order` aggregate as a decider (STYLE.md shape 4): pure `decide` and `evolve`, no I/O.
 * Money is integer minor units in one currency per order; never floating point.
 */
import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';
import type { Decider } from '../../../shared/event-sourcing/decider';
import { mayAccess, type Requester } from '../../../shared/identity/requester';
import {
  InvalidOrderError,
  OrderCancelledError,
  OrderNotAwaitingApprovalError,
  OrderNotCancellableError,
  OrderNotConfirmableError,
  OrderNotPaidError,
  OrderStateError,
  PaymentAmountMismatchError,
} from './errors';
import { definedProps } from '../../../shared/objects/defined-props';

export const ORDER_AGGREGATE = 'Order';

export type OrderStatus = 'PENDING' | 'AWAITING_APPROVAL' | 'PAID' | 'SHIPPED' | 'CANCELLED';
export type SagaStyle = 'orchestrated' | 'choreographed';
/** The human decision on an order that needed one; absent while none was made (or none was needed). */
export type ApprovalDecision = 'APPROVED' | 'REJECTED';

/**
 * Paid by card. The order names the method alone: the card's token went to the payments context's
 * card vault as the order was placed, and stays there until the charge (never in an event).
 */
export interface CardPayment {
  readonly method: 'card';
}

/** Paid from one of the customer's accounts (the accounts context checks it is theirs when charging). */
export interface AccountPayment {
  readonly method: 'account';
  /** `acc_` + ULID. */
  readonly accountId: string;
}

/** What the customer pays an order with, as the order keeps it. */
export type OrderPayment = CardPayment | AccountPayment;

/** The payment's own fields, and nothing else the object it came in carried (a card's token above all). */
export function paymentOf(payment: OrderPayment): OrderPayment {
  return payment.method === 'card' ? { method: 'card' } : { method: 'account', accountId: payment.accountId };
}

/** True when both name the same means of payment (for a card: both are by card). */
export function isSamePayment(a: OrderPayment | undefined, b: OrderPayment): boolean {
  if (a === undefined) return false;
  if (a.method === 'card') return b.method === 'card';
  return b.method === 'account' && a.accountId === b.accountId;
}

export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface Shipment {
  readonly carrier: string;
  readonly trackingNumber: string;
}

// ---- Events -------------------------------------------------------------------------------------

export interface OrderCreatedData {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
  readonly saga: SagaStyle;
  /** Choreographed orders: whether the order waits for a human approval once its stock is held. */
  readonly approvalRequired?: boolean;
  /** Absent only on orders placed before a payment was required. */
  readonly payment?: OrderPayment;
}
export interface OrderCancelledData {
  readonly orderId: string;
  readonly reason: string;
  /** The order's saga style, for the bus's rules; absent on events recorded before it was. */
  readonly saga?: SagaStyle;
}
export interface OrderShippedData extends Shipment {
  readonly orderId: string;
}
export interface OrderApprovalRequestedData {
  readonly orderId: string;
}
export interface OrderApprovalDecisionData {
  readonly orderId: string;
  readonly comment?: string;
  /** The order's saga style, for the bus's rules; absent on events recorded before it was. */
  readonly saga?: SagaStyle;
}
export interface OrderPaidData {
  readonly orderId: string;
  /** The payment provider's charge, e.g. `ch_…`. */
  readonly chargeId: string;
  readonly amountCents: number;
}

export type OrderCreated = DomainEvent<'OrderCreated', OrderCreatedData>;
export type OrderCancelled = DomainEvent<'OrderCancelled', OrderCancelledData>;
export type OrderShipped = DomainEvent<'OrderShipped', OrderShippedData>;
export type OrderApprovalRequested = DomainEvent<'OrderApprovalRequested', OrderApprovalRequestedData>;
export type OrderApproved = DomainEvent<'OrderApproved', OrderApprovalDecisionData>;
export type OrderRejected = DomainEvent<'OrderRejected', OrderApprovalDecisionData>;
export type OrderPaid = DomainEvent<'OrderPaid', OrderPaidData>;
export type OrderEvent =
  | OrderCreated
  | OrderCancelled
  | OrderShipped
  | OrderApprovalRequested
  | OrderApproved
  | OrderRejected
  | OrderPaid;

// ---- State --------------------------------------------------------------------------------------

interface PlacedOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
  readonly saga: SagaStyle;
  /** Choreographed orders that wait for an approval once their stock is held. */
  readonly approvalRequired?: boolean;
  /** The approval decision, once one was made; cleared when an approval is requested (again). */
  readonly approval?: ApprovalDecision;
}

/**
 * `PENDING` → (`RequestApproval`) `AWAITING_APPROVAL` → (`Approve` / `Reject`) `PENDING` with the
 * decision in `approval` → (`ConfirmPayment`) `PAID` → (`ShipOrder`) `SHIPPED`; `PENDING` and
 * `AWAITING_APPROVAL` may be cancelled (`CANCELLED`). A rejected order stays `PENDING` until the saga
 * cancels it with `APPROVAL_REJECTED`; it can no longer be confirmed.
 */
export type OrderState =
  | { readonly status: 'NONE' }
  | (PlacedOrder & { readonly status: 'PENDING' | 'AWAITING_APPROVAL' | 'PAID' })
  | (PlacedOrder & { readonly status: 'SHIPPED'; readonly shipment: Shipment })
  | (PlacedOrder & { readonly status: 'CANCELLED'; readonly cancellationReason: string });

// ---- Commands -----------------------------------------------------------------------------------

export interface CreateOrder {
  readonly type: 'CreateOrder';
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLine[];
  readonly currency: string;
  readonly saga: SagaStyle;
  readonly payment: OrderPayment;
  /** Choreographed orders: whether the order will wait for a human approval (its total is at the threshold). */
  readonly approvalRequired?: boolean;
}
/** By the customer (their reason) or by the saga's compensation (a reason code, e.g. `OUT_OF_STOCK`). */
export interface CancelOrder {
  readonly type: 'CancelOrder';
  readonly orderId: string;
  readonly reason: string;
  /**
   * Who asks, when a person does: only the order's owner and staff may cancel it, and to anyone else it
   * does not exist. None for the saga's own compensation.
   */
  readonly requester?: Requester;
}
export interface ShipOrder extends Shipment {
  readonly type: 'ShipOrder';
  readonly orderId: string;
}
/** The saga waits for a human decision; asked again (a retried step), it changes nothing while waiting. */
export interface RequestApproval {
  readonly type: 'RequestApproval';
  readonly orderId: string;
}
export interface Approve {
  readonly type: 'Approve';
  readonly orderId: string;
  readonly comment?: string;
}
export interface Reject {
  readonly type: 'Reject';
  readonly orderId: string;
  readonly comment?: string;
}
/**
 * The choreography holds the order's stock: an order that needs an approval (`approvalRequired`) now
 * waits for it; any other, or one past that point, is left as it is.
 */
export interface AwaitApproval {
  readonly type: 'AwaitApproval';
  readonly orderId: string;
}
/**
 * The approval's deadline passed (the choreography's schedule): an order still waiting is cancelled with
 * `APPROVAL_TIMEOUT`; one decided meanwhile, or no longer waiting, is left as it is.
 */
export interface ExpireApproval {
  readonly type: 'ExpireApproval';
  readonly orderId: string;
}
/** The saga charged the order: it is paid. */
export interface ConfirmPayment {
  readonly type: 'ConfirmPayment';
  readonly orderId: string;
  readonly chargeId: string;
  readonly amountCents: number;
}
export type OrderCommand =
  | CreateOrder
  | CancelOrder
  | ShipOrder
  | RequestApproval
  | Approve
  | Reject
  | AwaitApproval
  | ExpireApproval
  | ConfirmPayment;

export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1_000;

export function orderTotalCents(items: readonly OrderLine[]): number {
  const total = items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  if (!Number.isSafeInteger(total)) throw new InvalidOrderError('The order total is too large.');
  return total;
}

function assertValidLines(items: readonly OrderLine[]): void {
  if (items.length < 1 || items.length > MAX_ORDER_LINES) {
    throw new InvalidOrderError(`An order has 1 to ${MAX_ORDER_LINES} items.`, [
      { path: 'items', message: `must have 1 to ${MAX_ORDER_LINES} items` },
    ]);
  }
  const seen = new Set<string>();
  items.forEach((line, index) => {
    if (seen.has(line.productId)) {
      throw new InvalidOrderError(`Product ${line.productId} appears more than once.`, [
        { path: `items.${index}.productId`, message: 'must be distinct' },
      ]);
    }
    seen.add(line.productId);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw new InvalidOrderError(
        `items[${index}].quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}.`,
        [{ path: `items.${index}.quantity`, message: `must be an integer from 1 to ${MAX_LINE_QUANTITY}` }],
      );
    }
    if (!Number.isSafeInteger(line.unitPriceCents) || line.unitPriceCents <= 0) {
      throw new InvalidOrderError(`items[${index}].unitPriceCents must be a positive integer.`);
    }
  });
}

function decide(
  command: OrderCommand,
  state: OrderState,
): ReturnType<Decider<OrderCommand, OrderState, OrderEvent>['decide']> {
  switch (command.type) {
    case 'CreateOrder': {
      if (state.status !== 'NONE') throw new OrderStateError(`Order ${command.orderId} already exists.`);
      assertValidLines(command.items);
      return [
        {
          type: 'OrderCreated',
          data: {
            orderId: command.orderId,
            userId: command.userId,
            items: command.items,
            totalCents: orderTotalCents(command.items),
            currency: command.currency,
            saga: command.saga,
            ...definedProps({ approvalRequired: command.approvalRequired }),
            payment: command.payment,
          },
        },
      ];
    }
    case 'CancelOrder': {
      if (state.status === 'NONE' || (command.requester && !mayAccess(command.requester, state.userId))) {
        throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      }
      // Cancelling twice succeeds without a second event: clients may retry a cancel safely.
      if (state.status === 'CANCELLED') return [];
      if (state.status !== 'PENDING' && state.status !== 'AWAITING_APPROVAL') {
        throw new OrderNotCancellableError(command.orderId, state.status);
      }
      return [
        {
          type: 'OrderCancelled',
          data: { orderId: command.orderId, reason: command.reason, saga: state.saga },
        },
      ];
    }
    case 'ShipOrder': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      if (state.status !== 'PAID') throw new OrderNotPaidError(command.orderId);
      return [
        {
          type: 'OrderShipped',
          data: {
            orderId: command.orderId,
            carrier: command.carrier,
            trackingNumber: command.trackingNumber,
          },
        },
      ];
    }
    case 'RequestApproval': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      // A retried request while the order waits changes nothing: the caller only replaces its task token.
      if (state.status === 'AWAITING_APPROVAL') return [];
      if (state.status === 'CANCELLED') throw new OrderCancelledError(command.orderId);
      if (state.status !== 'PENDING') {
        throw new OrderStateError(
          `Order ${command.orderId} is ${state.status}: no approval can be asked for.`,
        );
      }
      // Also after a decision: the saga only asks again when that decision never reached it.
      return [{ type: 'OrderApprovalRequested', data: { orderId: command.orderId } }];
    }
    case 'Approve':
    case 'Reject': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      const decision: ApprovalDecision = command.type === 'Approve' ? 'APPROVED' : 'REJECTED';
      if (state.status !== 'AWAITING_APPROVAL') {
        // The same decision again is a retry: harmless, and recorded once.
        if (state.approval === decision) return [];
        throw new OrderNotAwaitingApprovalError(
          command.orderId,
          state.status,
          state.approval === undefined ? undefined : `already ${state.approval.toLowerCase()}`,
        );
      }
      const data = {
        orderId: command.orderId,
        ...definedProps({ comment: command.comment }),
        saga: state.saga,
      };
      return [decision === 'APPROVED' ? { type: 'OrderApproved', data } : { type: 'OrderRejected', data }];
    }
    case 'AwaitApproval': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      if (state.approvalRequired !== true || state.status !== 'PENDING' || state.approval !== undefined) {
        return [];
      }
      return [{ type: 'OrderApprovalRequested', data: { orderId: command.orderId } }];
    }
    case 'ExpireApproval': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      if (state.status !== 'AWAITING_APPROVAL') return [];
      return [
        {
          type: 'OrderCancelled',
          data: { orderId: command.orderId, reason: 'APPROVAL_TIMEOUT', saga: state.saga },
        },
      ];
    }
    case 'ConfirmPayment': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      // Confirming twice (a retried step) records one payment.
      if (state.status === 'PAID' || state.status === 'SHIPPED') return [];
      if (state.status === 'CANCELLED') {
        throw new OrderNotConfirmableError(command.orderId, 'it was cancelled');
      }
      if (state.status === 'AWAITING_APPROVAL') {
        throw new OrderNotConfirmableError(command.orderId, 'it is still awaiting approval');
      }
      if (state.approval === 'REJECTED') {
        throw new OrderNotConfirmableError(command.orderId, 'its approval was rejected');
      }
      if (command.amountCents !== state.totalCents) {
        throw new PaymentAmountMismatchError(command.orderId, command.amountCents, state.totalCents);
      }
      return [
        {
          type: 'OrderPaid',
          data: { orderId: command.orderId, chargeId: command.chargeId, amountCents: command.amountCents },
        },
      ];
    }
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderCreated':
      return { ...placed(event.data), status: 'PENDING' };
    case 'OrderCancelled':
      if (state.status === 'NONE') return state;
      return { ...placed(state), status: 'CANCELLED', cancellationReason: event.data.reason };
    case 'OrderShipped':
      if (state.status === 'NONE') return state;
      return {
        ...placed(state),
        status: 'SHIPPED',
        shipment: { carrier: event.data.carrier, trackingNumber: event.data.trackingNumber },
      };
    case 'OrderApprovalRequested': {
      if (state.status === 'NONE') return state;
      const { approval: _previous, ...order } = placed(state);
      return { ...order, status: 'AWAITING_APPROVAL' };
    }
    case 'OrderApproved':
      if (state.status === 'NONE') return state;
      return { ...placed(state), status: 'PENDING', approval: 'APPROVED' };
    case 'OrderRejected':
      if (state.status === 'NONE') return state;
      return { ...placed(state), status: 'PENDING', approval: 'REJECTED' };
    case 'OrderPaid':
      if (state.status === 'NONE') return state;
      return { ...placed(state), status: 'PAID' };
  }
}

/** The order's own fields, from its state or from the `OrderCreated` that placed it. */
function placed(state: Exclude<OrderState, { status: 'NONE' }> | OrderCreatedData): PlacedOrder {
  const { orderId, userId, items, totalCents, currency, saga, approvalRequired } = state;
  const approval = 'approval' in state ? state.approval : undefined;
  return {
    orderId,
    userId,
    items,
    totalCents,
    currency,
    saga,
    ...definedProps({ approvalRequired }),
    ...definedProps({ approval }),
  };
}

export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  initialState: { status: 'NONE' },
  evolve,
  decide,
};
