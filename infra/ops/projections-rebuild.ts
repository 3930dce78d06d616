/**
 * `npm run projections:rebuild -- order-views --event-store <table> --read-model <table> [--index-existing]`:
 * rebuilds a read model from its event store (`functions/orders/application/rebuild-order-views.ts`):
 * every stream of the projection's aggregate type, listed from the event store's `streams` index, folded
 * with the projector's own code and written over its view. `--index-existing` first indexes the streams
 * written before the index existed (a one-off scan). Prints one line per view it changed or could not
 * rebuild, then a summary; exits 1 when one failed.
 *
 * It talks to AWS as the AWS CLI does; `AWS_ENDPOINT_URL=http://127.0.0.1:4566` points it at the local
 * cloud. The tables are the orders stack's outputs `EventStoreTableName` and `ReadModelTableName`.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbOrderViews } from '../../functions/orders/adapters/dynamodb-order-views';
import { makeRebuildOrderViews } from '../../functions/orders/application/rebuild-order-views';
import { DynamoDbEventStore } from '../../shared/event-sourcing';
import { indexExistingStreams } from '../../shared/event-sourcing/index-streams';

const PROJECTIONS = ['order-views'] as const;
const USAGE =
  'usage: npm run projections:rebuild -- order-views --event-store <table> --read-model <table> [--index-existing]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'event-store': { type: 'string' },
      'read-model': { type: 'string' },
      'index-existing': { type: 'boolean', default: false },
    },
  });
  const [projection] = positionals;
  if (!PROJECTIONS.some((known) => known === projection)) {
    throw new Error(`which projection? One of: ${PROJECTIONS.join(', ')}\n${USAGE}`);
  }
  const eventStoreTable = values['event-store'];
  const readModelTable = values['read-model'];
  if (eventStoreTable === undefined || readModelTable === undefined) {
    throw new Error(`--event-store and --read-model are required\n${USAGE}`);
  }
  const client = new DynamoDBClient({});
  if (values['index-existing']) {
    const indexed = await indexExistingStreams(client, eventStoreTable);
    process.stdout.write(`${indexed} stream(s) written before the index were indexed\n`);
  }
  const rebuild = makeRebuildOrderViews({
    store: new DynamoDbEventStore({ client, tableName: eventStoreTable }),
    views: new DynamoDbOrderViews({ client, tableName: readModelTable }),
    onOrder: (orderId, result) => {
      if (result.outcome === 'rebuilt') process.stdout.write(`${orderId} rebuilt\n`);
      if (result.outcome === 'failed') process.stdout.write(`${orderId} failed: ${result.reason}\n`);
    },
  });
  const summary = await rebuild();
  process.stdout.write(
    `${summary.orders} order(s): ${summary.rebuilt} rebuilt, ${summary.unchanged} unchanged, ` +
      `${summary.ahead} ahead of the events read, ${summary.failed.length} failed\n`,
  );
  if (summary.failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
