/**
 * The `Order` aggregate as a decider (STYLE.md shape 4): pure `decide` and `evolve`, no I/O.
 * Money is integer minor units in one currency per order; never floating point.
 */
import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';
import type { Decider } from '../../../shared/event-sourcing/decider';
import { InvalidOrderError, OrderNotCancellableError, OrderNotPaidError, OrderStateError } from './errors';

export const ORDER_AGGREGATE = 'Order';

export type OrderStatus = 'PENDING' | 'AWAITING_APPROVAL' | 'PAID' | 'SHIPPED' | 'CANCELLED';
export type SagaMode = 'orchestrated' | 'choreographed';

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
  readonly saga: SagaMode;
  readonly payment?: { readonly method: 'card'; readonly token: string };
}
export interface OrderCancelledData {
  readonly orderId: string;
  readonly reason: string;
}
export interface OrderShippedData extends Shipment {
  readonly orderId: string;
}

export type OrderCreated = DomainEvent<'OrderCreated', OrderCreatedData>;
export type OrderCancelled = DomainEvent<'OrderCancelled', OrderCancelledData>;
export type OrderShipped = DomainEvent<'OrderShipped', OrderShippedData>;
export type OrderEvent = OrderCreated | OrderCancelled | OrderShipped;

// ---- State --------------------------------------------------------------------------------------

interface PlacedOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLine[];
  readonly totalCents: number;
  readonly currency: string;
  readonly saga: SagaMode;
}

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
  readonly saga: SagaMode;
  readonly payment?: { readonly method: 'card'; readonly token: string };
}
export interface CancelOrder {
  readonly type: 'CancelOrder';
  readonly orderId: string;
  readonly reason: string;
}
export interface ShipOrder extends Shipment {
  readonly type: 'ShipOrder';
  readonly orderId: string;
}
export type OrderCommand = CreateOrder | CancelOrder | ShipOrder;

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
            ...(command.payment ? { payment: command.payment } : {}),
          },
        },
      ];
    }
    case 'CancelOrder': {
      if (state.status === 'NONE') throw new OrderStateError(`Order ${command.orderId} does not exist.`);
      // Cancelling twice succeeds without a second event: clients may retry a cancel safely.
      if (state.status === 'CANCELLED') return [];
      if (state.status !== 'PENDING' && state.status !== 'AWAITING_APPROVAL') {
        throw new OrderNotCancellableError(command.orderId, state.status);
      }
      return [{ type: 'OrderCancelled', data: { orderId: command.orderId, reason: command.reason } }];
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
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderCreated': {
      const { orderId, userId, items, totalCents, currency, saga } = event.data;
      return { status: 'PENDING', orderId, userId, items, totalCents, currency, saga };
    }
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
  }
}

function placed(state: Exclude<OrderState, { status: 'NONE' }>): PlacedOrder {
  const { orderId, userId, items, totalCents, currency, saga } = state;
  return { orderId, userId, items, totalCents, currency, saga };
}

export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  initialState: { status: 'NONE' },
  evolve,
  decide,
};
