import {
  AggregateRunner,
  type AggregateRunnerOptions,
  type EventStore,
} from '../../../shared/event-sourcing';
import {
  ORDER_AGGREGATE,
  orderDecider,
  type OrderCommand,
  type OrderEvent,
  type OrderState,
} from '../domain/order';

export type OrderRunner = AggregateRunner<OrderCommand, OrderState, OrderEvent>;
export type OrderEventStore = EventStore<OrderEvent, OrderState>;

export type OrderRunnerOptions = Omit<
  AggregateRunnerOptions<OrderCommand, OrderState, OrderEvent>,
  'store' | 'decider' | 'aggregateType'
>;

/** The `Order` decider on an event store: the one way commands reach the orders' events. */
export function orderRunner(store: OrderEventStore, options: OrderRunnerOptions = {}): OrderRunner {
  return new AggregateRunner({ store, decider: orderDecider, aggregateType: ORDER_AGGREGATE, ...options });
}
