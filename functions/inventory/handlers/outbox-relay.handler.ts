import { outboxRelay } from '../composition-root';
import { tracedHandler } from '../../../shared/observability/tracer';

/** The products table's stream → the `shop` bus, via `OutboxRelay` (infra/constructs/outbox-relay.ts). */
export const handler = tracedHandler(outboxRelay());
