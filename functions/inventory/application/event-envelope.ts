import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import { PRODUCT_AGGREGATE_TYPE, type InventoryEvent } from '../contracts/inventory-events';
import type { Product } from '../domain/product';
import { definedProps } from '../../../shared/objects/defined-props';

/** The change's event in the envelope of ARCHITECTURE.md §4, at the product's new version. */
export function envelope<TEvent extends InventoryEvent>(
  payload: EventPayload<TEvent>,
  product: Product,
  context: CommandContext,
): TEvent {
  const event = {
    eventId: context.newEventId(),
    type: payload.type,
    aggregateType: PRODUCT_AGGREGATE_TYPE,
    aggregateId: product.productId,
    version: product.version,
    occurredAt: context.now().toISOString(),
    correlationId: context.correlationId,
    causationId: context.causationId,
    ...definedProps({ traceHeader: context.traceHeader }),
    schemaVersion: payload.schemaVersion ?? 1,
    data: payload.data,
  };
  // EventPayload<TEvent> carries TEvent's own type and data, so the envelope is a TEvent.
  return event as TEvent;
}
