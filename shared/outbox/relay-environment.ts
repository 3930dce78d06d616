/** The relay function's variables, set by the `OutboxRelay` construct and read by `lambdaOutboxRelay`. */
export const OUTBOX_RELAY_ENV = {
  /** The bus the relay publishes to. */
  busName: 'EVENT_BUS_NAME',
  /** The relay's dead-letter queue: poison records go there whole. */
  deadLetterQueueUrl: 'OUTBOX_DEAD_LETTER_QUEUE_URL',
} as const;
