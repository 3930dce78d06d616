/**
 * Errors of the event store that are not a lost race (a lost race is the kernel's `ConcurrencyError`).
 * They are programming or data errors: nothing a client can fix, so `shared/http` answers them with 500.
 */
export class EventStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One command produced more events than one DynamoDB transaction can write. */
export class TooManyEventsError extends EventStoreError {
  constructor(
    readonly aggregateId: string,
    readonly count: number,
    readonly limit: number,
  ) {
    super(
      `Cannot append ${count} events to ${aggregateId} at once: one append writes at most ${limit} ` +
        '(the DynamoDB transaction limit). Split the command, or emit fewer, coarser events.',
    );
  }
}
