import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CIRCUIT_STATES,
  INITIAL_CIRCUIT,
  isInWindow,
  newestBucket,
  type CallOutcome,
  type CircuitBreakerStore,
  type CircuitRecord,
  type CircuitState,
  type CircuitTransitionWrite,
  type OutcomeWindow,
  type WindowedCircuitRecord,
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
 *
 * The failure-rate rule's window is a pair of counters per bucket, `w<bucket>c` (calls) and
 * `w<bucket>f` (failures), `<bucket>` being epoch ms / bucket length: an outcome is an atomic `ADD`, so
 * concurrent callers never conflict, and the same write removes the buckets that just slid out. A
 * transition writes the whole item, which empties the window.
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
    const item = await this.updateClosed(name, {
      add: ['#failures :one'],
      names: { '#failures': 'failures' },
    });
    return item === undefined ? undefined : recordFromItem(name, item);
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

  async recordOutcome(
    name: string,
    outcome: CallOutcome,
    window: OutcomeWindow,
  ): Promise<WindowedCircuitRecord | undefined> {
    const newest = newestBucket(window);
    const names: Record<string, string> = { '#calls': bucketAttribute(newest, 'c') };
    const added = ['#calls :one'];
    if (outcome === 'failure') {
      names['#failed'] = bucketAttribute(newest, 'f');
      added.push('#failed :one');
    }
    // The buckets that slid out since the window's last write (those before went with earlier writes,
    // or with a transition); any older one left by a long silence is ignored when counting.
    const removed: string[] = [];
    for (let bucket = newest - 2 * window.buckets; bucket <= newest - window.buckets; bucket += 1) {
      for (const kind of ['c', 'f'] as const) {
        const placeholder = `#old${removed.length}`;
        names[placeholder] = bucketAttribute(bucket, kind);
        removed.push(placeholder);
      }
    }
    names['#failures'] = 'failures';
    const item = await this.updateClosed(name, {
      set: ['#failures = if_not_exists(#failures, :zero)'],
      add: added,
      remove: removed,
      names,
    });
    if (item === undefined) return undefined;
    let calls = 0;
    let failures = 0;
    for (const [attribute, value] of Object.entries(item)) {
      const match = BUCKET_ATTRIBUTE.exec(attribute);
      if (match === null || typeof value !== 'number') continue;
      if (!isInWindow(Number(match[1]), window)) continue;
      if (match[2] === 'c') calls += value;
      else failures += value;
    }
    return { record: recordFromItem(name, item), calls, failures };
  }

  /**
   * Updates a CLOSED circuit (creating it CLOSED, version 0, if absent) and returns the item after the
   * update; `undefined` when the circuit is not CLOSED (another instance opened it).
   */
  private async updateClosed(
    name: string,
    clauses: {
      readonly set?: readonly string[];
      readonly add: readonly string[];
      readonly remove?: readonly string[];
      readonly names: Record<string, string>;
    },
  ): Promise<Record<string, unknown> | undefined> {
    const set = ['#state = if_not_exists(#state, :closed)', '#version = if_not_exists(#version, :zero)'];
    const expression = [
      `SET ${[...set, ...(clauses.set ?? [])].join(', ')}`,
      `ADD ${clauses.add.join(', ')}`,
      ...(clauses.remove === undefined || clauses.remove.length === 0
        ? []
        : [`REMOVE ${clauses.remove.join(', ')}`]),
    ].join(' ');
    try {
      const { Attributes: item } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: circuitKey(name) },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_not_exists(#pk) OR #state = :closed',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#state': 'state',
            '#version': 'version',
            ...clauses.names,
          },
          ExpressionAttributeValues: { ':closed': 'CLOSED', ':zero': 0, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (item === undefined) throw new Error(`Circuit ${name}: UpdateItem returned no attributes`);
      return item;
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  async transition(name: string, expectedVersion: number, next: CircuitTransitionWrite): Promise<boolean> {
    // Marks the write as this call's: when the SDK retries a write that had landed (its answer lost to a
    // 5xx or a reset connection), the retry fails its condition, and only the mark tells that it won.
    const writeId = randomUUID();
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
            writeId,
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
      if (!conditionFailed(error)) throw error;
      const { Item: item } = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: circuitKey(name) }, ConsistentRead: true }),
      );
      return item?.['writeId'] === writeId && item['version'] === expectedVersion + 1;
    }
  }
}

const BUCKET_ATTRIBUTE = /^w(\d+)([cf])$/;

function bucketAttribute(bucket: number, kind: 'c' | 'f'): string {
  return `w${bucket}${kind}`;
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
