import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import { USER_AGGREGATE_TYPE, type UsersEvent } from '../contracts/users-events';
import { definedProps } from '../../../shared/objects/defined-props';

/**
 * The change's event in the envelope of ARCHITECTURE.md §4, at the user's `version`, occurring at the
 * instant the change was decided (so the user's `createdAt` and its event's `occurredAt` agree).
 */
export function envelope<TEvent extends UsersEvent>(
  payload: EventPayload<TEvent>,
  userId: string,
  version: number,
  context: CommandContext,
  occurredAt: Date = context.now(),
): TEvent {
  const event = {
    eventId: context.newEventId(),
    type: payload.type,
    aggregateType: USER_AGGREGATE_TYPE,
    aggregateId: userId,
    version,
    occurredAt: occurredAt.toISOString(),
    correlationId: context.correlationId,
    causationId: context.causationId,
    ...definedProps({ traceHeader: context.traceHeader }),
    schemaVersion: payload.schemaVersion ?? 1,
    data: payload.data,
  };
  // EventPayload<TEvent> carries TEvent's own type and data, so the envelope is a TEvent.
  return event as TEvent;
}
