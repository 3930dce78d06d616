/**
 * A context's outbox relay (`shared/outbox/outbox-relay.ts`) over an EventBridge client that records
 * what it is asked to publish and accepts it all: for the `.dynamodb` suites, which feed the relay the
 * table's real stream records from DynamoDB Local and check what would reach the bus.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { makeOutboxRelay, type OutboxRelayHandler } from '../../shared/outbox/outbox-relay';

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function recordingOutboxRelay(source: string): {
  readonly relay: OutboxRelayHandler;
  /** Every entry put on the bus, in order. */
  readonly published: PutEventsRequestEntry[];
} {
  const eventBridge = new EventBridgeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const published: PutEventsRequestEntry[] = [];
  mockClient(eventBridge)
    .on(PutEventsCommand)
    .callsFake((input: { Entries?: PutEventsRequestEntry[] }) => {
      published.push(...(input.Entries ?? []));
      return {
        FailedEntryCount: 0,
        Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `eb-${index}` })),
      };
    });
  const relay = makeOutboxRelay({
    eventBridge,
    busName: 'shop',
    source,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    poisonSink: async (deadLetter) => {
      throw new Error(`unexpected poison record: ${deadLetter.reason}`);
    },
    logger: silent,
  });
  return { relay, published };
}
