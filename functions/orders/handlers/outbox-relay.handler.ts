// Lambda entry of the outbox relay: the event store's stream → the `shop` bus as `shop.orders`.
import { outboxRelay } from '../composition-root';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(outboxRelay());
