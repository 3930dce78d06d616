/**
 * `npm run outbox:replay -- --queue <url> --source shop.<context> [--bus <name>] [--dry-run]`: redrives an
 * outbox relay's dead-letter queue (see `shared/outbox/replay-dead-letters.ts`): poison records whose
 * items were fixed in their table, and batches the relay's event source mapping gave up on. Prints one
 * line per message and a summary; exits 1 when a message had to be kept.
 *
 * It talks to AWS as the AWS CLI does (credentials and Region from the environment or the profile);
 * `AWS_ENDPOINT_URL=http://127.0.0.1:4566` points it at the local cloud. The queue's URL is the relay
 * function's `OUTBOX_DEAD_LETTER_QUEUE_URL`.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { replayDeadLetters } from '../../shared/outbox/replay-dead-letters';
import { sqsPoisonSink } from '../../shared/outbox/sqs-poison-sink';

const USAGE =
  'usage: npm run outbox:replay -- --queue <dead-letter queue URL> --source shop.<context> [--bus shop] [--dry-run]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      queue: { type: 'string' },
      source: { type: 'string' },
      bus: { type: 'string', default: 'shop' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (values.queue === undefined || values.source === undefined) {
    throw new Error(`--queue and --source are required\n${USAGE}`);
  }
  const sqs = new SQSClient({});
  const outcomes = await replayDeadLetters({
    sqs,
    dynamodb: new DynamoDBClient({}),
    streams: new DynamoDBStreamsClient({}),
    eventBridge: new EventBridgeClient({}),
    queueUrl: values.queue,
    busName: values.bus,
    source: values.source,
    poisonSink: sqsPoisonSink(sqs, values.queue),
    dryRun: values['dry-run'],
  });
  for (const outcome of outcomes) {
    process.stdout.write(
      outcome.outcome === 'replayed'
        ? `${outcome.message} replayed: ${outcome.published} published, ${outcome.deadLettered} dead-lettered again\n`
        : `${outcome.message} kept: ${outcome.reason}\n`,
    );
  }
  const kept = outcomes.filter((outcome) => outcome.outcome === 'kept').length;
  process.stdout.write(
    `${outcomes.length} message(s): ${outcomes.length - kept} replayed${values['dry-run'] ? ' (dry run: nothing sent or deleted)' : ''}, ${kept} kept\n`,
  );
  if (kept > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
