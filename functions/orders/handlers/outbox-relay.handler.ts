// Lambda entry of the outbox relay: the event store's stream → the `shop` bus as `shop.orders`.
import { outboxRelay } from '../composition-root';

export const handler = outboxRelay();
