import type { DomainEvent } from './domain-event';
import { EventStoreError, TooManyEventsError } from './errors';
import { MAX_EVENTS_PER_APPEND, type AppendOptions } from './event-store';

/**
 * The checks every adapter makes before it writes: a wrong version or aggregate id here is a bug in
 * the caller, and writing it would corrupt the stream for good.
 */
export function validateAppend(
  aggregateId: string,
  expectedVersion: number,
  events: readonly DomainEvent[],
  options: AppendOptions = {},
): void {
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new EventStoreError(
      `expectedVersion of ${aggregateId} must be a non-negative integer, got ${expectedVersion}`,
    );
  }
  const { uniqueKey } = options;
  // A claim is one more item of the same transaction, and so is the check that the previous version exists.
  const maxEvents =
    MAX_EVENTS_PER_APPEND - (uniqueKey === undefined ? 0 : 1) - (expectedVersion === 0 ? 0 : 1);
  if (events.length > maxEvents) {
    throw new TooManyEventsError(aggregateId, events.length, maxEvents);
  }
  if (uniqueKey !== undefined) {
    if (uniqueKey.length === 0) {
      throw new EventStoreError(`the unique key claimed by ${aggregateId} is empty`);
    }
    // Claims are never released: one without events would hold the key for a stream that may never exist.
    if (events.length === 0) {
      throw new EventStoreError(`${aggregateId} cannot claim the unique key '${uniqueKey}' with no events`);
    }
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
