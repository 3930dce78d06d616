/**
 * The settings context on the local cloud: a key-value store over three replica tables (N = 3, W = 2,
 * R = 2) behind `/kv/{key}`, proven under the failures read repair exists for. Replica tables are made
 * to refuse or lose writes with the local cloud's per-table faults; the tables themselves are read to
 * check what each replica holds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventually, type LocalCloud, localClientConfig } from 'cdk-local-cloud';
import type { SettingResponse, WrittenSettingResponse } from '../../functions/settings/contracts';
import { MAX_VALUE_BYTES } from '../../functions/settings/domain/setting-key';
import { apiAs, signedInUser, startShopCloud, type ApiCall, type JsonAnswer } from '../support/shop-cloud';
import { expectRefusal, expectRefusals, tableItems } from '../support/refusals';
import type { SignedInUser } from '../../infra/ops/shop-users';

let cloud: LocalCloud;
let dynamoDb: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let replicaTables: string[];
let sweepFunction: string;
let staff: SignedInUser;
let customer: SignedInUser;

const as = (user?: SignedInUser): ApiCall => apiAs(cloud, user);
const settingOf = (answer: JsonAnswer): SettingResponse => answer.body as unknown as SettingResponse;

async function put(key: string, value: unknown): Promise<WrittenSettingResponse> {
  const answer = await as(staff)('PUT', `/kv/${key}`, { body: { value } });
  if (answer.status !== 200) throw new Error(`PUT /kv/${key} answered ${answer.status}: ${answer.text}`);
  return answer.body as unknown as WrittenSettingResponse;
}

/** The version each replica table holds of each key: `{ key: [v1, v2, v3] }`. */
async function replicaVersions(): Promise<Record<string, (number | undefined)[]>> {
  const tables = await Promise.all(replicaTables.map((table) => tableItems(documents, table)));
  const versions: Record<string, (number | undefined)[]> = {};
  tables.forEach((items, replica) => {
    for (const item of items) {
      const key = String(item['key']);
      versions[key] ??= replicaTables.map(() => undefined);
      versions[key][replica] = Number(item['counter']);
    }
  });
  return versions;
}

/** Runs `tasks` with at most `limit` at a time. */
async function inBatches<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < tasks.length; start += limit) {
    results.push(...(await Promise.all(tasks.slice(start, start + limit).map((task) => task()))));
  }
  return results;
}

beforeAll(async () => {
  ({ cloud } = await startShopCloud({ defaultApiName: 'shop-api' }));
  const outputs = cloud.outputs['ShopSettings'] ?? {};
  replicaTables = [1, 2, 3].map((n) => outputs[`ReplicaTable${n}Name`] ?? '');
  sweepFunction = outputs['SweepFunctionName'] ?? '';
  dynamoDb = new DynamoDBClient(localClientConfig(cloud.edgeUrl));
  documents = DynamoDBDocumentClient.from(dynamoDb);
  [staff, customer] = await Promise.all([
    signedInUser(cloud, { email: 'staff.settings@example.com', staff: true }),
    signedInUser(cloud, { email: 'customer.settings@example.com' }),
  ]);
}, 300_000);

afterEach(() => {
  cloud?.faults.clear();
});

afterAll(async () => {
  dynamoDb?.destroy();
  await cloud?.stop();
});

describe('the settings store on the local cloud', () => {
  it('runs the settings stack as the template says, nothing of it unsupported', () => {
    expect(replicaTables.every((table) => table !== '')).toBe(true);
    expect(new Set(replicaTables).size).toBe(3);
    expect(cloud.summary.unsupported.filter((line) => line.startsWith('ShopSettings/'))).toEqual([]);
  });

  it('staff write a setting; any signed-in user reads it, exactly as written, at its version', async () => {
    // Act
    const first = await put('checkout.max-items', 10);
    const second = await put('checkout.max-items', { limit: 12.5, tags: ['a', null, true] });
    const read = await as(customer)('GET', '/kv/checkout.max-items');

    // Assess
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(read.status).toBe(200);
    expect(settingOf(read)).toEqual({
      key: 'checkout.max-items',
      value: { limit: 12.5, tags: ['a', null, true] },
      version: 2,
      writer: second.writer,
      updatedAt: expect.any(String),
    });
    expect((await replicaVersions())['checkout.max-items']).toEqual([2, 2, 2]);
  });

  it('refuses what it must, with the platform’s error body, and changes nothing', async () => {
    // Prepare
    await put('refusals', 'kept');
    const before = await replicaVersions();

    // Act + Assess
    await expectRefusals([
      [
        'a customer writing',
        () => as(customer)('PUT', '/kv/refusals', { body: { value: 1 } }),
        403,
        'FORBIDDEN',
      ],
      ['an unknown key', () => as(customer)('GET', '/kv/never-written'), 404, 'SETTING_NOT_FOUND'],
      ['a key with a space', () => as(customer)('GET', '/kv/two%20words'), 400, 'VALIDATION_FAILED', 'key'],
      [
        'a key too long',
        () => as(staff)('PUT', `/kv/${'k'.repeat(129)}`, { body: { value: 1 } }),
        400,
        'VALIDATION_FAILED',
        'key',
      ],
      ['no value', () => as(staff)('PUT', '/kv/refusals', { body: {} }), 400, 'VALIDATION_FAILED', 'value'],
      [
        'an unknown field',
        () => as(staff)('PUT', '/kv/refusals', { body: { value: 1, ttl: 5 } }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown consistency',
        () => as(customer)('GET', '/kv/refusals?consistency=all'),
        400,
        'VALIDATION_FAILED',
        'consistency',
      ],
      [
        'a value too large',
        () => as(staff)('PUT', '/kv/refusals', { body: { value: 'x'.repeat(MAX_VALUE_BYTES) } }),
        413,
        'VALUE_TOO_LARGE',
      ],
      [
        'a body too large',
        () => as(staff)('PUT', '/kv/refusals', { body: { value: 'x'.repeat(MAX_VALUE_BYTES * 2) } }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ]);
    const anonymous = await as()('GET', '/kv/refusals');

    // Assess
    expect(anonymous.status).toBe(401);
    expect(await replicaVersions()).toEqual(before);
  });

  it('with one replica refusing writes during 200 writes, every quorum read answers the latest version; single-replica reads see old ones until repaired; after the reads and one sweep all three agree', async () => {
    // Prepare: 20 keys at version 1 everywhere, then 10 more writes of each while replica 1 refuses writes.
    const keys = Array.from({ length: 20 }, (_, n) => `flags:rollout-${n}`);
    await inBatches(
      keys.map((key) => () => put(key, { percent: 0 })),
      10,
    );
    cloud.faults.add({
      kind: 'table-write-failure',
      target: { tableName: replicaTables[0]! },
      probability: 1,
    });
    const latest = new Map<string, number>();
    await Promise.all(
      keys.map(async (key) => {
        for (let percent = 10; percent <= 100; percent += 10) {
          latest.set(key, (await put(key, { percent })).version);
        }
      }),
    );
    const staleBefore = await replicaVersions();

    // Act: single-replica reads repair nothing; the fault stays until they are done, so that no write
    // still in flight (an SDK retry of a refused one) lands on replica 1 before them.
    const singleReads = await inBatches(
      keys.flatMap((key) => [1, 2, 3].map(() => () => as(customer)('GET', `/kv/${key}?consistency=one`))),
      10,
    );
    cloud.faults.clear();
    const quorumReads = await inBatches(
      keys.map((key) => () => as(customer)('GET', `/kv/${key}`)),
      10,
    );
    const lambda = new LambdaClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const swept = await lambda.send(new InvokeCommand({ FunctionName: sweepFunction }));
    lambda.destroy();
    const after = await replicaVersions();

    // Assess
    expect(keys.map((key) => staleBefore[key])).toEqual(keys.map(() => [1, 11, 11]));
    const oldSingleReads = singleReads.filter(
      (answer) =>
        answer.status === 200 && settingOf(answer).version < (latest.get(settingOf(answer).key) ?? 0),
    );
    expect(singleReads.every((answer) => answer.status === 200)).toBe(true);
    expect(oldSingleReads.length).toBeGreaterThan(0);
    expect(quorumReads.map((answer) => [answer.status, settingOf(answer).version])).toEqual(
      keys.map((key) => [200, latest.get(key)]),
    );
    expect(quorumReads.map((answer) => settingOf(answer).value)).toEqual(keys.map(() => ({ percent: 100 })));
    expect(swept.FunctionError).toBeUndefined();
    for (const key of keys) expect({ key, versions: after[key] }).toEqual({ key, versions: [11, 11, 11] });
  });

  it('a replica too slow for the read is repaired in the background, from the repair queue', async () => {
    // Prepare
    await put('slow-replica', 'old');
    cloud.faults.add({
      kind: 'table-write-failure',
      target: { tableName: replicaTables[2]! },
      probability: 1,
    });
    const latest = await put('slow-replica', 'new');
    cloud.faults.clear();
    cloud.faults.add({
      kind: 'table-read-delay',
      target: { tableName: replicaTables[2]! },
      probability: 1,
      latencyMs: 500,
    });

    // Act
    const read = await as(customer)('GET', '/kv/slow-replica');
    const repaired = await eventually(
      async () => {
        const versions = (await replicaVersions())['slow-replica'];
        return versions?.[2] === latest.version ? versions : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'replica 3 repaired from the queue' },
    );

    // Assess
    expect(settingOf(read)).toMatchObject({ value: 'new', version: latest.version });
    expect(repaired).toEqual([2, 2, 2]);
  });

  it('with two replicas refusing writes, a write is refused 503 WRITE_QUORUM_NOT_REACHED and no read sees it', async () => {
    // Prepare
    const before = await put('two-down', 'before');
    for (const table of replicaTables.slice(1)) {
      cloud.faults.add({ kind: 'table-write-failure', target: { tableName: table }, probability: 1 });
    }

    // Act
    const refused = await as(staff)('PUT', '/kv/two-down', { body: { value: 'after' } });
    const read = await as(customer)('GET', '/kv/two-down');

    // Assess
    expectRefusal(refused, 503, 'WRITE_QUORUM_NOT_REACHED');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(settingOf(read)).toMatchObject({ value: 'before', version: before.version });
    expect((await replicaVersions())['two-down']).toEqual([1, 1, 1]);
  });

  it('with two replicas down, writes and quorum reads are refused 503; nothing partial is visible at R = 2', async () => {
    // Prepare
    await put('all-down', 'before');
    for (const table of replicaTables.slice(0, 2)) {
      cloud.faults.add({ kind: 'table-write-failure', target: { tableName: table }, probability: 1 });
      cloud.faults.add({ kind: 'table-read-failure', target: { tableName: table }, probability: 1 });
    }

    // Act
    const refused = await as(staff)('PUT', '/kv/all-down', { body: { value: 'after' } });
    const read = await as(customer)('GET', '/kv/all-down');
    cloud.faults.clear();
    const afterRecovery = await as(customer)('GET', '/kv/all-down');

    // Assess
    expect(refused.status).toBe(503);
    expect(['READ_QUORUM_NOT_REACHED', 'WRITE_QUORUM_NOT_REACHED']).toContain(
      (refused.body as { error?: { code?: string } }).error?.code,
    );
    expectRefusal(read, 503, 'READ_QUORUM_NOT_REACHED');
    expect(settingOf(afterRecovery)).toMatchObject({ value: 'before', version: 1 });
  });
});
