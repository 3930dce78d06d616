/**
 * The key of a consumer's marker of a processed event, and how a redelivery is recognized: the marker
 * is put with `attribute_not_exists` in the transaction of the consumer's state change
 * (`DynamoDbReactionStore`), so a second delivery of the event cancels the transaction.
 */
/** The marker's partition key value: `processed-event#<consumer>#<eventId>`. */
export function processedEventKey(consumer: string, eventId: string): string {
  return `processed-event#${consumer}#${eventId}`;
}

/**
 * True when `error` is the cancellation of a transaction whose item at `markerIndex` (the marker) failed
 * its condition: the event was processed before. Any other failure, including another item's condition,
 * is not a duplicate and must be retried or surfaced.
 */
export function isEventAlreadyProcessed(error: unknown, markerIndex: number): boolean {
  // By name and shape rather than `instanceof`: a bundle may hold more than one copy of the SDK.
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons: unknown = 'CancellationReasons' in error ? error.CancellationReasons : undefined;
  if (!Array.isArray(reasons)) return false;
  const reason: unknown = reasons[markerIndex];
  return (
    typeof reason === 'object' &&
    reason !== null &&
    'Code' in reason &&
    reason.Code === 'ConditionalCheckFailed'
  );
}
