/**
 * Why a stream record was not published. The relay reports each such record as a batch item failure;
 * the error is what Powertools collects for it and what the logs name.
 */
export abstract class OutboxRelayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The record can never be published as it stands: a malformed event item or an entry over the
 * `PutEvents` size limit. Retrying in this invocation is pointless; the event source mapping's retries,
 * bisection and on-failure destination take it from here.
 */
export class PoisonRecordError extends OutboxRelayError {
  constructor(
    readonly sequenceNumber: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Stream record ${sequenceNumber} cannot be published: ${reason}`, options);
  }
}

/** EventBridge did not accept the entry within the attempts or the time the invocation had. */
export class PublishFailedError extends OutboxRelayError {
  constructor(
    readonly sequenceNumber: string,
    readonly attempts: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Stream record ${sequenceNumber} was not published after ${attempts} attempt(s): ${reason}`,
      options,
    );
  }
}

/**
 * An earlier record of the same aggregate failed, so this one is held back: publishing it would put the
 * aggregate's events on the bus out of order.
 */
export class AggregateBlockedError extends OutboxRelayError {
  constructor(
    readonly sequenceNumber: string,
    readonly aggregateId: string,
    readonly blockedBy: string,
  ) {
    super(
      `Stream record ${sequenceNumber} of aggregate ${aggregateId} is held back: ` +
        `the earlier record ${blockedBy} of the same aggregate was not published.`,
    );
  }
}

/** One `PutEvents` entry came back with an `ErrorCode`. */
export class EntryRejectedError extends OutboxRelayError {
  constructor(
    readonly errorCode: string,
    errorMessage: string | undefined,
  ) {
    super(`EventBridge rejected the entry: ${errorCode}${errorMessage ? ` (${errorMessage})` : ''}`);
  }
}

/** The `PutEvents` call was still running when the invocation's time budget ran out. */
export class PublishDeadlineError extends OutboxRelayError {
  constructor(budgetMs: number) {
    super(`PutEvents did not answer within the ${budgetMs} ms the invocation had left.`);
  }
}
