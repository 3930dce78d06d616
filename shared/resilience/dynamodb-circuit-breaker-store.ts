import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CIRCUIT_STATES,
  INITIAL_CIRCUIT,
  type CircuitBreakerStore,
  type CircuitRecord,
  type CircuitState,
  type CircuitTransitionWrite,
} from './circuit-breaker-store';

export interface DynamoDbCircuitBreakerStoreProps {
  /** A document client is used as it is; a plain client is wrapped in one. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  /** A table whose key is the partition key `pk` (S) alone. */
  readonly tableName: string;
}

/** The partition key of a circuit's state item. */
export function circuitKey(name: string): string {
  return `circuit#${name}`;
}

/**
 * Circuits in DynamoDB, one item per circuit: `pk = circuit#<name>`, `state`, `failures`, `version`,
 * and `openedAt` / `probeLeaseUntil` (epoch ms) where they apply. Every write carries a condition:
 * counting failures requires `state = CLOSED`, a transition requires the `version` it was decided on.
 */
export class DynamoDbCircuitBreakerStore implements CircuitBreakerStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: DynamoDbCircuitBreakerStoreProps) {
    if (props.tableName.length === 0) throw new Error('DynamoDbCircuitBreakerStore needs a tableName');
    this.documents =
      props.client instanceof DynamoDBDocumentClient
        ? props.client
        : DynamoDBDocumentClient.from(props.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = props.tableName;
  }

  async load(name: string): Promise<CircuitRecord> {
    const { Item: item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: circuitKey(name) },
        // A stale read would decide a transition on an old version, and lose it.
        ConsistentRead: true,
      }),
    );
    return item === undefined ? INITIAL_CIRCUIT : recordFromItem(name, item);
  }

  async recordFailure(name: string): Promise<CircuitRecord | undefined> {
    try {
      const { Attributes: item } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: circuitKey(name) },
          UpdateExpression:
            'SET #state = if_not_exists(#state, :closed), #version = if_not_exists(#version, :zero) ' +
            'ADD #failures :one',
          ConditionExpression: 'attribute_not_exists(#pk) OR #state = :closed',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#state': 'state',
            '#version': 'version',
            '#failures': 'failures',
          },
          ExpressionAttributeValues: { ':closed': 'CLOSED', ':zero': 0, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (item === undefined) throw new Error(`Circuit ${name}: UpdateItem returned no attributes`);
      return recordFromItem(name, item);
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  async resetFailures(name: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: circuitKey(name) },
          UpdateExpression: 'SET #failures = :zero',
          ConditionExpression: '#state = :closed AND #failures > :zero',
          ExpressionAttributeNames: { '#state': 'state', '#failures': 'failures' },
          ExpressionAttributeValues: { ':closed': 'CLOSED', ':zero': 0 },
        }),
      );
    } catch (error) {
      // Nothing to reset, or no longer CLOSED: either way there is nothing to write.
      if (!conditionFailed(error)) throw error;
    }
  }

  async transition(name: string, expectedVersion: number, next: CircuitTransitionWrite): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          // A whole item: attributes of the previous state (e.g. a probe lease) do not linger.
          Item: {
            pk: circuitKey(name),
            state: next.state,
            failures: next.failures,
            openedAt: next.openedAt,
            probeLeaseUntil: next.probeLeaseUntil,
            version: expectedVersion + 1,
          },
          ConditionExpression:
            expectedVersion === 0
              ? 'attribute_not_exists(#pk) OR #version = :expected'
              : '#version = :expected',
          ExpressionAttributeNames:
            expectedVersion === 0 ? { '#pk': 'pk', '#version': 'version' } : { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}

/** By name rather than `instanceof`: a bundle may hold more than one copy of the SDK. */
function conditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function recordFromItem(name: string, item: Record<string, unknown>): CircuitRecord {
  const { state, failures, openedAt, probeLeaseUntil, version } = item;
  if (!isCircuitState(state) || !isCount(failures) || !isCount(version)) {
    throw new Error(
      `Circuit ${name}: the stored item ${circuitKey(name)} is not a circuit state ` +
        `(state ${String(state)}, failures ${String(failures)}, version ${String(version)}); delete it to reset the circuit.`,
    );
  }
  return {
    state,
    failures,
    version,
    ...(typeof openedAt === 'number' ? { openedAt } : {}),
    ...(typeof probeLeaseUntil === 'number' ? { probeLeaseUntil } : {}),
  };
}

function isCircuitState(value: unknown): value is CircuitState {
  return typeof value === 'string' && (CIRCUIT_STATES as readonly string[]).includes(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
