import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { ConcurrencyError } from '../errors/app-error';
import { eventItemAttributes } from '../event-sourcing/dynamodb-event-store';
import type { DomainEvent } from '../event-sourcing/domain-event';
import type { ReactionStateStore, StateChange, StoredState } from './reaction-state';
import { isEventAlreadyProcessed, processedEventKey } from '../idempotency/processed-event-marker';

/** Where a consumer's items live in its context's table. */
export interface ReactionTableLayout {
  /** The table's partition key attribute (the only one the conditions need). */
  readonly partitionKey: string;
  stateKey(id: string): Record<string, string>;
  eventKey(event: DomainEvent): Record<string, string>;
  markerKey(markerId: string): Record<string, string>;
}

export interface DynamoDbReactionStoreProps<TState> {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** Names the consumer in its markers, so two consumers of one event never suppress each other. */
  readonly consumer: string;
  readonly layout: ReactionTableLayout;
  /** The state as stored; an item that breaks it is a data error. */
  readonly schema: z.ZodType<TState>;
  /** How long event items and markers are kept (DynamoDB TTL on `expiresAt`). @default 30 days */
  readonly retentionSeconds?: number;
}

export const REACTION_STATE_ITEM_KIND = 'reaction-state';
export const REACTION_MARKER_ITEM_KIND = 'processed-event';
const DEFAULT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/**
 * A consumer's per-aggregate state in its context's table, written under optimistic locking: each
 * change is one transaction of the marker of the event it reacts to (`attribute_not_exists`), the state
 * at its next version (conditional on the version read) and the event it publishes (an outbox item,
 * `kind = 'event'`). A redelivered event finds its marker and writes nothing (`duplicate`); a change
 * decided on a stale version throws `ConcurrencyError`, and the caller loads and decides again.
 */
export class DynamoDbReactionStore<TState> implements ReactionStateStore<TState> {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly props: DynamoDbReactionStoreProps<TState>) {
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async load(id: string): Promise<StoredState<TState> | undefined> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.props.tableName,
        Key: this.props.layout.stateKey(id),
        ConsistentRead: true,
      }),
    );
    if (item === undefined) return undefined;
    const state = this.props.schema.safeParse(item['state']);
    const version: unknown = item['version'];
    if (!state.success || typeof version !== 'number') {
      throw new Error(`The ${this.props.consumer} state of ${id} is malformed.`);
    }
    return { state: state.data, version };
  }

  /** `applied`, or `duplicate` when the event it reacts to was applied before. */
  async save(change: StateChange<TState>): Promise<'applied' | 'duplicate'> {
    const { layout, tableName } = this.props;
    const key = layout.partitionKey;
    const expiresAt =
      Math.floor(Date.parse(change.at) / 1000) + (this.props.retentionSeconds ?? DEFAULT_RETENTION_SECONDS);
    const items = [];
    if (change.reactsTo !== undefined) {
      items.push({
        Put: {
          TableName: tableName,
          Item: {
            ...layout.markerKey(processedEventKey(this.props.consumer, change.reactsTo)),
            kind: REACTION_MARKER_ITEM_KIND,
            eventId: change.reactsTo,
            consumer: this.props.consumer,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': key },
        },
      });
    }
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...layout.stateKey(change.id),
          kind: REACTION_STATE_ITEM_KIND,
          version: change.expectedVersion + 1,
          state: change.state,
          updatedAt: change.at,
        },
        ...(change.expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': key } }
          : {
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': change.expectedVersion },
            }),
      },
    });
    if (change.event !== undefined) {
      if (change.event.version !== change.expectedVersion + 1) {
        throw new Error(
          `The event of ${change.id} is at version ${change.event.version}, not ${change.expectedVersion + 1}.`,
        );
      }
      items.push({
        Put: {
          TableName: tableName,
          Item: { ...layout.eventKey(change.event), ...eventItemAttributes(change.event), expiresAt },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': key },
        },
      });
    }
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return 'applied';
    } catch (error) {
      if (change.reactsTo !== undefined && isEventAlreadyProcessed(error, 0)) return 'duplicate';
      if (error instanceof Error && error.name === 'TransactionCanceledException') {
        throw new ConcurrencyError(
          `The ${this.props.consumer} state of ${change.id} changed after version ${change.expectedVersion} was read`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
