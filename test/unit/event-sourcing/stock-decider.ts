import { ConflictError, ValidationError } from '../../../shared/errors/app-error';
import type { Decider, DomainEvent, EventPayload } from '../../../shared/event-sourcing';

/** A small aggregate of the inventory kind, to drive the event store and the runner in tests. */
export type StockEvent =
  | DomainEvent<'StockReceived', { readonly quantity: number }>
  | DomainEvent<'StockReserved', { readonly orderId: string; readonly quantity: number }>
  | DomainEvent<'StockReleased', { readonly orderId: string }>;

export type StockCommand =
  /** Creates the stock with its first parcel: refused once the stock has received any, as a creation is. */
  | { readonly type: 'OpenStock'; readonly quantity: number }
  /** One `StockReceived` per parcel, so one command can append several events. */
  | { readonly type: 'ReceiveStock'; readonly parcels: readonly number[] }
  | { readonly type: 'ReserveStock'; readonly orderId: string; readonly quantity: number }
  | { readonly type: 'ReleaseStock'; readonly orderId: string };

export interface StockState {
  readonly onHand: number;
  readonly reservations: Readonly<Record<string, number>>;
}

export const STOCK_AGGREGATE_TYPE = 'Stock';

export function available(state: StockState): number {
  return Object.values(state.reservations).reduce((free, reserved) => free - reserved, state.onHand);
}

export const stockDecider: Decider<StockCommand, StockState, StockEvent> = {
  initialState: { onHand: 0, reservations: {} },

  evolve(state, event) {
    switch (event.type) {
      case 'StockReceived':
        return { ...state, onHand: state.onHand + event.data.quantity };
      case 'StockReserved':
        return {
          ...state,
          reservations: { ...state.reservations, [event.data.orderId]: event.data.quantity },
        };
      case 'StockReleased': {
        const { [event.data.orderId]: _released, ...kept } = state.reservations;
        return { ...state, reservations: kept };
      }
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'OpenStock':
        if (state.onHand > 0) throw new ConflictError('STOCK_EXISTS', 'the stock is open already');
        if (!Number.isInteger(command.quantity) || command.quantity < 1) {
          throw new ValidationError('the first parcel must hold a positive number of items');
        }
        return [{ type: 'StockReceived', data: { quantity: command.quantity } }];
      case 'ReceiveStock':
        if (command.parcels.some((quantity) => !Number.isInteger(quantity) || quantity < 1)) {
          throw new ValidationError('every parcel must hold a positive number of items');
        }
        return command.parcels.map((quantity) => ({ type: 'StockReceived', data: { quantity } }));
      case 'ReserveStock':
        // Redelivered reservations change nothing.
        if (state.reservations[command.orderId] !== undefined) return [];
        if (available(state) < command.quantity) {
          throw new ConflictError(
            'INSUFFICIENT_STOCK',
            `${command.quantity} requested, ${available(state)} available`,
          );
        }
        return [{ type: 'StockReserved', data: { orderId: command.orderId, quantity: command.quantity } }];
      case 'ReleaseStock':
        if (state.reservations[command.orderId] === undefined) return [];
        return [{ type: 'StockReleased', data: { orderId: command.orderId } }];
    }
  },
};

/** A stored event, to seed a stream with history. */
export function stockEvent(
  aggregateId: string,
  version: number,
  payload: EventPayload<StockEvent>,
): StockEvent {
  return {
    eventId: `evt-${aggregateId}-${version}`,
    aggregateType: STOCK_AGGREGATE_TYPE,
    aggregateId,
    version,
    occurredAt: '2026-11-26T12:00:00.000Z',
    correlationId: 'corr-seed',
    causationId: 'cause-seed',
    schemaVersion: payload.schemaVersion ?? 1,
    ...payload,
  } as StockEvent;
}
