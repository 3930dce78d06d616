/**
 * Users on DynamoDB Local (AWS's own engine: the condition expressions, transaction cancellations and
 * stream records are the real ones): a registration is one transaction of the sub claim, the email
 * claim, the user and its `UserRegistered`; a retried trigger (the same sub) writes nothing and publishes
 * nothing; a second identity with a registered email is refused and writes nothing; racing triggers of
 * one sub register it once; and the table's stream, run through the outbox relay, publishes the event
 * and never a user or a claim.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../../shared/errors/app-error';
import { commandContext, type CommandContext } from '../../shared/event-sourcing/command-context';
import { isId, newId } from '../../shared/ids/ids';
import { DynamoDbUserRepository } from '../../functions/users/adapters/dynamodb-user-repository';
import { makeFindUserId } from '../../functions/users/application/find-user-id';
import { makeGetUser } from '../../functions/users/application/get-user';
import { makeRegisterUser, type RegisterUserResult } from '../../functions/users/application/register-user';
import { USERS_EVENT_SOURCE, type UserRegistered } from '../../functions/users/contracts';
import { EmailAlreadyRegisteredError } from '../../functions/users/domain/errors';
import { useDynamoDbLocal, type CreatedTable } from '../support/dynamodb-local';
import { recordingOutboxRelay } from '../support/recording-outbox-relay';

const dynamo = useDynamoDbLocal();

/** A users table as the users stack makes it (pk/sk strings, NEW_IMAGE stream). */
function usersTable(): Promise<CreatedTable> {
  return dynamo.createTable(dynamo.uniqueTableName('users'), {
    partitionKey: 'pk',
    sortKey: 'sk',
    stream: 'NEW_IMAGE',
  });
}

function users(tableName: string) {
  const repository = new DynamoDbUserRepository({ client: dynamo.client, tableName });
  return {
    repository,
    registerUser: makeRegisterUser({ repository, newUserId: () => newId('user') }),
    getUser: makeGetUser({ repository }),
    findUserId: makeFindUserId({ repository }),
  };
}

/** A trigger invocation's context: its request id is the event's correlation and causation id. */
function context(requestId = 'lambda-req-1'): CommandContext {
  return commandContext({ correlationId: requestId, causationId: requestId });
}

/** Every item of the table, by `pk sk`. */
async function items(tableName: string): Promise<Map<string, Record<string, unknown>>> {
  const { Items = [] } = await dynamo.documents.send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  return new Map(Items.map((item) => [`${String(item['pk'])} ${String(item['sk'])}`, item]));
}

function registered(result: RegisterUserResult) {
  if (result.outcome !== 'registered') throw new Error(`expected a registration, got ${result.outcome}`);
  return result.user;
}

describe('registering a user on DynamoDB', () => {
  test('writes the sub claim, the email claim, the user and its UserRegistered in one transaction', async () => {
    // Prepare
    const { tableName } = await usersTable();
    const { registerUser, getUser, findUserId } = users(tableName);
    // Act
    const user = registered(
      await registerUser({ sub: 'sub-ada', email: 'Ada@Example.com' }, context('lambda-req-ada')),
    );
    // Assess
    expect(isId('user', user.userId)).toBe(true);
    const stored = await items(tableName);
    expect([...stored.keys()].sort()).toEqual(
      [
        `${user.userId} event#0000000001`,
        `${user.userId} user`,
        'email#ada@example.com email',
        'sub#sub-ada sub',
      ].sort(),
    );
    expect(stored.get('sub#sub-ada sub')).toEqual({
      pk: 'sub#sub-ada',
      sk: 'sub',
      kind: 'sub',
      sub: 'sub-ada',
      userId: user.userId,
    });
    expect(stored.get('email#ada@example.com email')).toMatchObject({ kind: 'email', userId: user.userId });
    const event = stored.get(`${user.userId} event#0000000001`);
    expect(event).toEqual({
      pk: user.userId,
      sk: 'event#0000000001',
      kind: 'event',
      eventId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'UserRegistered',
      aggregateType: 'User',
      aggregateId: user.userId,
      version: 1,
      occurredAt: user.createdAt,
      correlationId: 'lambda-req-ada',
      causationId: 'lambda-req-ada',
      schemaVersion: 1,
      data: { userId: user.userId },
      expiresAt: expect.any(Number),
    });
    await expect(getUser(user.userId)).resolves.toEqual(user);
    await expect(findUserId('sub-ada')).resolves.toBe(user.userId);
    await expect(findUserId('sub-nobody')).resolves.toBeUndefined();
  });

  test('a retried trigger finds the sub registered: the first user stands, nothing is written', async () => {
    // Prepare
    const { tableName } = await usersTable();
    const { registerUser, findUserId } = users(tableName);
    const first = registered(await registerUser({ sub: 'sub-grace', email: 'grace@example.com' }, context()));
    const before = await items(tableName);
    // Act
    const again = await registerUser(
      { sub: 'sub-grace', email: 'grace@example.com' },
      context('lambda-req-2'),
    );
    const otherEmail = await registerUser(
      { sub: 'sub-grace', email: 'hopper@example.com' },
      context('lambda-req-3'),
    );
    // Assess
    expect(again).toEqual({ outcome: 'already-registered', sub: 'sub-grace' });
    expect(otherEmail).toEqual({ outcome: 'already-registered', sub: 'sub-grace' });
    expect(await items(tableName)).toEqual(before);
    await expect(findUserId('sub-grace')).resolves.toBe(first.userId);
  });

  test('refuses a second identity with a registered email, in any case, and writes nothing', async () => {
    // Prepare
    const { tableName } = await usersTable();
    const { registerUser, findUserId } = users(tableName);
    await registerUser({ sub: 'sub-hedy', email: 'hedy@example.com' }, context());
    const before = await items(tableName);
    // Act
    const second = registerUser({ sub: 'sub-imposter', email: 'HEDY@example.com' }, context('lambda-req-2'));
    // Assess
    await expect(second).rejects.toThrow(EmailAlreadyRegisteredError);
    await expect(second).rejects.toThrow(
      'Another user is already registered with the email hedy@example.com.',
    );
    expect(await items(tableName)).toEqual(before);
    await expect(findUserId('sub-imposter')).resolves.toBeUndefined();
  });

  test('racing triggers of one sub register it once, with one event', async () => {
    // Prepare
    const { tableName } = await usersTable();
    const { registerUser } = users(tableName);
    // Act: concurrent transactions on the same items are cancelled as conflicts; a lost one says so.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        registerUser(
          { sub: 'sub-katherine', email: 'katherine@example.com' },
          context(`lambda-req-${index}`),
        ),
      ),
    );
    // Assess
    const outcomes = results.map((result) =>
      result.status === 'fulfilled' ? result.value.outcome : (result.reason as Error).name,
    );
    expect(outcomes.filter((outcome) => outcome === 'registered')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConcurrencyError);
    }
    const stored = [...(await items(tableName)).values()];
    expect(stored.filter((item) => item['kind'] === 'user')).toHaveLength(1);
    expect(stored.filter((item) => item['kind'] === 'event')).toHaveLength(1);
  });
});

describe("the users table's stream through the outbox relay", () => {
  test('publishes one UserRegistered per user, and never a user or a claim', async () => {
    // Prepare: two users, a retried trigger and a refused email, all through the table.
    const { tableName, streamArn } = await usersTable();
    const { registerUser } = users(tableName);
    const ada = registered(await registerUser({ sub: 'sub-1', email: 'ada@example.com' }, context()));
    const grace = registered(await registerUser({ sub: 'sub-2', email: 'grace@example.com' }, context()));
    await registerUser({ sub: 'sub-1', email: 'ada@example.com' }, context());
    await expect(registerUser({ sub: 'sub-3', email: 'ada@example.com' }, context())).rejects.toThrow(
      EmailAlreadyRegisteredError,
    );
    const { relay, published } = recordingOutboxRelay(USERS_EVENT_SOURCE);
    const records = await dynamo.streamRecords(streamArn);
    // Act: every record, unfiltered (the event source mapping's filter would drop most before the relay).
    const response = await relay({ Records: records }, { getRemainingTimeInMillis: () => 30_000 });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(records.map((record) => record.dynamodb?.NewImage?.['kind']?.S).sort()).toEqual(
      ['email', 'email', 'event', 'event', 'sub', 'sub', 'user', 'user'].sort(),
    );
    expect(published.map((entry) => [entry.Source, entry.DetailType])).toEqual([
      ['shop.users', 'UserRegistered'],
      ['shop.users', 'UserRegistered'],
    ]);
    const details = published.map((entry) => JSON.parse(entry.Detail ?? '{}') as UserRegistered);
    expect(details.map((detail) => detail.data.userId).sort()).toEqual([ada.userId, grace.userId].sort());
    expect(published.every((entry) => !(entry.Detail ?? '').includes('"kind"'))).toBe(true);
  });
});
