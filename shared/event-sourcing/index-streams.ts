import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EVENT_ITEM_KIND, STREAM_TYPE_ATTRIBUTE } from './dynamodb-event-store';

/**
 * Puts the streams of an event store written before its `streams` index into the index: each first
 * event (version 1) without `streamType` gets it. A one-off migration, and the one scan of the events
 * (every later stream is indexed as its first event is appended); safe to run again, and beside live
 * appends (it only adds the attribute to items that lack it). Answers how many streams it indexed.
 */
export async function indexExistingStreams(client: DynamoDBClient, tableName: string): Promise<number> {
  const documents = DynamoDBDocumentClient.from(client);
  let indexed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#kind = :event AND sk = :first AND attribute_not_exists(#type)',
        ExpressionAttributeNames: { '#kind': 'kind', '#type': STREAM_TYPE_ATTRIBUTE },
        ExpressionAttributeValues: { ':event': EVENT_ITEM_KIND, ':first': 1 },
        ProjectionExpression: 'pk, sk, aggregateType',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: item['pk'], sk: item['sk'] },
          UpdateExpression: 'SET #type = :type',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#type': STREAM_TYPE_ATTRIBUTE },
          ExpressionAttributeValues: { ':type': item['aggregateType'] },
        }),
      );
      indexed++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return indexed;
}
