import { InMemoryUserRepository } from '../../../functions/users/adapters/in-memory-user-repository';
import { makeFindUserId } from '../../../functions/users/application/find-user-id';
import { makeGetUser } from '../../../functions/users/application/get-user';
import { makeRegisterUser } from '../../../functions/users/application/register-user';
import { EmailAlreadyRegisteredError, UserNotFoundError } from '../../../functions/users/domain/errors';
import { FIXED_NOW, fixedContext, OTHER_SUB, SUB, userId, userIds } from './fixtures';

function usersContext() {
  const repository = new InMemoryUserRepository();
  return {
    repository,
    registerUser: makeRegisterUser({ repository, newUserId: userIds() }),
    getUser: makeGetUser({ repository }),
    findUserId: makeFindUserId({ repository }),
  };
}

describe('registering a user', () => {
  test('stores the user and writes exactly one UserRegistered, in the envelope, at version 1', async () => {
    // Prepare
    const { repository, registerUser } = usersContext();
    // Act
    const result = await registerUser(
      { sub: SUB, email: 'Ada@Example.com' },
      fixedContext({ traceHeader: 'Root=1-abc;Sampled=1' }),
    );
    // Assess
    const user = { userId: userId(1), sub: SUB, email: 'ada@example.com', createdAt: FIXED_NOW };
    expect(result).toEqual({ outcome: 'registered', user });
    expect(repository.all()).toEqual([user]);
    expect(repository.outbox).toEqual([
      {
        eventId: 'evt-1',
        type: 'UserRegistered',
        aggregateType: 'User',
        aggregateId: userId(1),
        version: 1,
        occurredAt: FIXED_NOW,
        correlationId: 'req-1',
        causationId: 'req-1',
        traceHeader: 'Root=1-abc;Sampled=1',
        schemaVersion: 1,
        data: { userId: userId(1) },
      },
    ]);
  });

  test('stamps the user and its event with one instant, however the clock moves', async () => {
    // Prepare
    const { repository, registerUser } = usersContext();
    let tick = 0;
    const ticking = { ...fixedContext(), now: () => new Date(Date.parse(FIXED_NOW) + tick++) };
    // Act
    const result = await registerUser({ sub: SUB, email: 'ada@example.com' }, ticking);
    // Assess
    expect(result).toMatchObject({ user: { createdAt: FIXED_NOW } });
    expect(repository.outbox[0]?.occurredAt).toBe(FIXED_NOW);
  });

  test('is idempotent on the sub: a retried trigger leaves the first user as it is, with no second event', async () => {
    // Prepare
    const { repository, registerUser } = usersContext();
    await registerUser({ sub: SUB, email: 'ada@example.com' }, fixedContext());
    // Act
    const again = await registerUser({ sub: SUB, email: 'ada@example.com' }, fixedContext());
    const changedEmail = await registerUser({ sub: SUB, email: 'lovelace@example.com' }, fixedContext());
    // Assess
    expect(again).toEqual({ outcome: 'already-registered', sub: SUB });
    expect(changedEmail).toEqual({ outcome: 'already-registered', sub: SUB });
    expect(repository.all()).toEqual([
      expect.objectContaining({ userId: userId(1), email: 'ada@example.com' }),
    ]);
    expect(repository.outbox).toHaveLength(1);
  });

  test('refuses a second identity with an email a user has, in any case; nothing is written', async () => {
    // Prepare
    const { repository, registerUser } = usersContext();
    await registerUser({ sub: SUB, email: 'ada@example.com' }, fixedContext());
    // Act
    const second = registerUser({ sub: OTHER_SUB, email: 'ADA@example.com' }, fixedContext());
    // Assess
    await expect(second).rejects.toThrow(EmailAlreadyRegisteredError);
    await expect(second).rejects.toMatchObject({
      code: 'EMAIL_ALREADY_REGISTERED',
      message: 'Another user is already registered with the email ada@example.com.',
    });
    expect(repository.all()).toHaveLength(1);
    expect(repository.outbox).toHaveLength(1);
  });

  test('registers a sub once when its trigger runs several times at once', async () => {
    // Prepare
    const { repository, registerUser } = usersContext();
    // Act
    const results = await Promise.all(
      Array.from({ length: 5 }, () => registerUser({ sub: SUB, email: 'ada@example.com' }, fixedContext())),
    );
    // Assess
    expect(results.filter((result) => result.outcome === 'registered')).toHaveLength(1);
    expect(repository.all()).toHaveLength(1);
    expect(repository.outbox).toHaveLength(1);
  });
});

describe('reading users', () => {
  test('finds a user by id, and the user id of a sub', async () => {
    // Prepare
    const { registerUser, getUser, findUserId } = usersContext();
    await registerUser({ sub: SUB, email: 'ada@example.com' }, fixedContext());
    // Act
    const user = await getUser(userId(1));
    const found = await findUserId(SUB);
    const unknown = await findUserId(OTHER_SUB);
    // Assess
    expect(user).toEqual({ userId: userId(1), sub: SUB, email: 'ada@example.com', createdAt: FIXED_NOW });
    expect(found).toBe(userId(1));
    expect(unknown).toBeUndefined();
  });

  test('an unknown user id is USER_NOT_FOUND', async () => {
    // Prepare
    const { getUser } = usersContext();
    // Act
    const get = getUser(userId(7));
    // Assess
    await expect(get).rejects.toThrow(UserNotFoundError);
    await expect(get).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
      message: `User ${userId(7)} does not exist.`,
    });
  });
});
