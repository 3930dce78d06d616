import { outboxRelay } from '../composition-root';

/** The payments table's stream → the `shop` bus, via `OutboxRelay` (infra/constructs/outbox-relay.ts). */
export const handler = outboxRelay();
