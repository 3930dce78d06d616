/**
 * Errors of the event store that are not a lost race (a lost race is the kernel's `ConcurrencyError`)
 * nor a taken unique key (`UniqueKeyTakenError`, below). They are programming or data errors: nothing a client can fix, so `shared/http` answers them with 500.
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

/**
 * The append claimed a unique key another append already claimed (`AppendOptions.uniqueKey`), so it
 * wrote nothing. Not a lost race (retrying cannot win) and not a fault: the caller decides what an
 * earlier claim means, e.g. that the request was already carried out by `claimedBy`.
 */
export class UniqueKeyTakenError extends Error {
  constructor(
    readonly key: string,
    /** The aggregate whose events were appended with the key. */
    readonly claimedBy: string,
    options?: { cause?: unknown },
  ) {
    super(`the unique key '${key}' is already claimed by ${claimedBy}`, options);
    this.name = new.target.name;
  }
}
