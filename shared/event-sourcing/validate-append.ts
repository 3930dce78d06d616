import type { DomainEvent } from './domain-event';
import { EventStoreError, TooManyEventsError } from './errors';
import { MAX_EVENTS_PER_APPEND } from './event-store';

/**
 * The checks every adapter makes before it writes: a wrong version or aggregate id here is a bug in
 * the caller, and writing it would corrupt the stream for good.
 */
export function validateAppend(
  aggregateId: string,
  expectedVersion: number,
  events: readonly DomainEvent[],
): void {
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new EventStoreError(
      `expectedVersion of ${aggregateId} must be a non-negative integer, got ${expectedVersion}`,
    );
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new TooManyEventsError(aggregateId, events.length, MAX_EVENTS_PER_APPEND);
  }
  events.forEach((event, index) => {
    if (event.aggregateId !== aggregateId) {
      throw new EventStoreError(
        `event ${event.eventId} belongs to ${event.aggregateId}, not to ${aggregateId}, the stream appended to`,
      );
    }
    const version = expectedVersion + index + 1;
    if (event.version !== version) {
      throw new EventStoreError(
        `event ${event.eventId} of ${aggregateId} has version ${event.version}; ` +
          `after expected version ${expectedVersion} it must be ${version}`,
      );
    }
  });
}

export function validateFromVersion(aggregateId: string, fromVersion: number): void {
  if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) {
    throw new EventStoreError(`fromVersion of ${aggregateId} must be an integer ≥ 1, got ${fromVersion}`);
  }
}
