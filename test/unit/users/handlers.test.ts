import type { ApiGatewayProxyEvent } from '../../../shared/http/api-gateway-proxy';
import { USER_ID_CLAIM } from '../../../shared/http/caller';
import { InMemoryUserRepository } from '../../../functions/users/adapters/in-memory-user-repository';
import { makeFindUserId } from '../../../functions/users/application/find-user-id';
import { makeGetUser } from '../../../functions/users/application/get-user';
import { makeRegisterUser } from '../../../functions/users/application/register-user';
import { EmailAlreadyRegisteredError } from '../../../functions/users/domain/errors';
import { triggerCommandContext } from '../../../functions/users/handlers/cognito-trigger';
import { makeHandler as makeGetMeHandler } from '../../../functions/users/handlers/get-me';
import { makeHandler as makePostConfirmationHandler } from '../../../functions/users/handlers/post-confirmation';
import { makeHandler as makePreTokenGenerationHandler } from '../../../functions/users/handlers/pre-token-generation';
import { errorBodyOf, proxyEvent } from '../http/proxy-event';
import {
  FIXED_NOW,
  fixedContext,
  OTHER_SUB,
  postConfirmationEvent,
  preTokenGenerationEvent,
  RecordingLogger,
  SUB,
  userId,
  userIds,
} from './fixtures';
import { silentLogger, type AppLogger } from '../../../shared/observability/app-logger';

const invocation = { awsRequestId: 'lambda-req-1' };

function usersFunctions() {
  const repository = new InMemoryUserRepository();
  const logger = new RecordingLogger();
  const registerUser = makeRegisterUser({ repository, newUserId: userIds() });
  const postConfirmation = makePostConfirmationHandler({
    registerUser,
    newContext: triggerCommandContext(() => 'Root=1-abc;Sampled=1'),
    logger,
  });
  const preTokenGeneration = makePreTokenGenerationHandler({
    findUserId: makeFindUserId({ repository }),
    logger,
  });
  const httpLogger: AppLogger & { lines: string[] } = {
    ...silentLogger,
    lines: [],
    error(message) {
      this.lines.push(message);
    },
    warn(message) {
      this.lines.push(message);
    },
  };
  const getMe = makeGetMeHandler({ getUser: makeGetUser({ repository }), logger: httpLogger });
  return { repository, logger, httpLogger, registerUser, postConfirmation, preTokenGeneration, getMe };
}

describe('the PostConfirmation trigger', () => {
  test('registers a confirmed sign-up and answers the event as it came', async () => {
    // Prepare
    const { repository, logger, postConfirmation } = usersFunctions();
    const event = postConfirmationEvent();
    const sent = structuredClone(event);
    // Act
    const answer = await postConfirmation(event, invocation);
    // Assess
    expect(answer).toBe(event);
    expect(event).toEqual(sent);
    expect(repository.all()).toEqual([
      { userId: userId(1), sub: SUB, email: 'ada@example.com', createdAt: expect.any(String) },
    ]);
    // The trigger starts the flow: its Lambda request id is the event's correlation and causation id.
    expect(repository.outbox).toEqual([
      expect.objectContaining({
        type: 'UserRegistered',
        aggregateId: userId(1),
        correlationId: 'lambda-req-1',
        causationId: 'lambda-req-1',
        traceHeader: 'Root=1-abc;Sampled=1',
      }),
    ]);
    expect(logger.lines).toEqual([
      { level: 'info', message: 'User registered', attributes: { userId: userId(1), sub: SUB } },
    ]);
  });

  test('changes nothing when Cognito retries it', async () => {
    // Prepare
    const { repository, logger, postConfirmation } = usersFunctions();
    await postConfirmation(postConfirmationEvent(), invocation);
    // Act
    const event = postConfirmationEvent();
    const answer = await postConfirmation(event, { awsRequestId: 'lambda-req-2' });
    // Assess
    expect(answer).toBe(event);
    expect(repository.all()).toHaveLength(1);
    expect(repository.outbox).toHaveLength(1);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'info', attributes: { sub: SUB } });
  });

  test('does nothing on the confirmation of a password reset', async () => {
    // Prepare
    const { repository, postConfirmation } = usersFunctions();
    const event = postConfirmationEvent({ triggerSource: 'PostConfirmation_ConfirmForgotPassword' });
    // Act
    const answer = await postConfirmation(event, invocation);
    // Assess
    expect(answer).toBe(event);
    expect(repository.all()).toEqual([]);
    expect(repository.outbox).toEqual([]);
  });

  test('fails the confirmation of a second identity with a registered email, saying why', async () => {
    // Prepare
    const { repository, logger, postConfirmation } = usersFunctions();
    await postConfirmation(postConfirmationEvent(), invocation);
    const second = postConfirmationEvent({ userAttributes: { sub: OTHER_SUB, email: 'ada@EXAMPLE.com' } });
    // Act
    const answer = postConfirmation(second, invocation);
    // Assess
    await expect(answer).rejects.toThrow(EmailAlreadyRegisteredError);
    await expect(answer).rejects.toThrow(
      'Another user is already registered with the email ada@example.com.',
    );
    expect(repository.all()).toHaveLength(1);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'warn', attributes: { sub: OTHER_SUB } });
  });

  test.each([
    ['no event', null, 'The PostConfirmation trigger cannot read its event: event'],
    ['no trigger source', { ...postConfirmationEvent(), triggerSource: undefined }, 'event.triggerSource'],
    ['no user attributes', { ...postConfirmationEvent(), request: {} }, 'event.request.userAttributes'],
    [
      'a sign-up without an email',
      postConfirmationEvent({ userAttributes: { sub: SUB } }),
      'request.userAttributes.email is required',
    ],
    [
      'a sign-up without a sub',
      postConfirmationEvent({ userAttributes: { email: 'ada@example.com' } }),
      'request.userAttributes.sub is required',
    ],
  ])('refuses an event with %s, naming what is wrong', async (_case, event, message) => {
    // Prepare
    const { repository, logger, postConfirmation } = usersFunctions();
    // Act
    const answer = postConfirmation(event, invocation);
    // Assess
    await expect(answer).rejects.toMatchObject({ name: 'InvalidTriggerEvent' });
    await expect(answer).rejects.toThrow(message);
    expect(repository.all()).toEqual([]);
    expect(logger.lines.map((line) => line.level)).toEqual(['error']);
  });
});

describe('the PreTokenGeneration trigger', () => {
  async function registered() {
    const functions = usersFunctions();
    await functions.registerUser({ sub: SUB, email: 'ada@example.com' }, fixedContext());
    return functions;
  }

  test("adds the user id as custom:userId to the ID token's claims (V1 event)", async () => {
    // Prepare
    const { preTokenGeneration } = await registered();
    const event = preTokenGenerationEvent();
    // Act
    const answer = await preTokenGeneration(event, invocation);
    // Assess
    expect(answer).toEqual({
      ...event,
      response: { claimsOverrideDetails: { claimsToAddOrOverride: { [USER_ID_CLAIM]: userId(1) } } },
    });
  });

  test('keeps what the response asks for already', async () => {
    // Prepare
    const { preTokenGeneration } = await registered();
    const response = {
      claimsOverrideDetails: {
        claimsToAddOrOverride: { 'shop:tier': 'gold' },
        claimsToSuppress: ['email_verified'],
        groupOverrideDetails: { groupsToOverride: ['staff'] },
      },
    };
    // Act
    const answer = await preTokenGeneration(preTokenGenerationEvent({ response }), invocation);
    // Assess
    expect(answer).toMatchObject({
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { 'shop:tier': 'gold', [USER_ID_CLAIM]: userId(1) },
          claimsToSuppress: ['email_verified'],
          groupOverrideDetails: { groupsToOverride: ['staff'] },
        },
      },
    });
  });

  test('adds the claim to the ID and the access token of a V2 event', async () => {
    // Prepare
    const { preTokenGeneration } = await registered();
    // Act
    const answer = await preTokenGeneration(preTokenGenerationEvent({ version: '2' }), invocation);
    // Assess
    expect(answer).toMatchObject({
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { [USER_ID_CLAIM]: userId(1) } },
          accessTokenGeneration: { claimsToAddOrOverride: { [USER_ID_CLAIM]: userId(1) } },
        },
      },
    });
  });

  test('lets an identity with no user sign in without the claim, and says so in the log', async () => {
    // Prepare
    const { logger, preTokenGeneration } = await registered();
    const event = preTokenGenerationEvent({ sub: OTHER_SUB });
    // Act
    const answer = await preTokenGeneration(event, invocation);
    // Assess
    expect(answer).toBe(event);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: `No user is registered for this identity (yet); its tokens carry no ${USER_ID_CLAIM}`,
        attributes: { sub: OTHER_SUB, triggerSource: 'TokenGeneration_Authentication' },
      },
    ]);
  });

  test.each([
    [
      'no sub',
      { ...preTokenGenerationEvent(), request: { userAttributes: { email: 'ada@example.com' } } },
      'warn',
    ],
    ['an unreadable event', { triggerSource: 'TokenGeneration_Authentication' }, 'error'],
    ['no event', null, 'error'],
  ])('answers an event with %s unchanged, never blocking the sign-in', async (_case, event, level) => {
    // Prepare
    const { logger, preTokenGeneration } = await registered();
    // Act
    const answer = await preTokenGeneration(event, invocation);
    // Assess
    expect(answer).toBe(event);
    expect(logger.lines.map((line) => line.level)).toEqual([level]);
  });

  test('fails the sign-in when the users table cannot be read: a token without its user id would be useless', async () => {
    // Prepare
    const { logger } = usersFunctions();
    const unavailable = new Error('Service unavailable');
    const preTokenGeneration = makePreTokenGenerationHandler({
      findUserId: () => Promise.reject(unavailable),
      logger,
    });
    // Act
    const answer = preTokenGeneration(preTokenGenerationEvent(), invocation);
    // Assess
    await expect(answer).rejects.toBe(unavailable);
  });
});

describe('GET /users/me', () => {
  const meEvent = (claims?: Record<string, string>, overrides: Partial<ApiGatewayProxyEvent> = {}) =>
    proxyEvent({
      resource: '/users/me',
      path: '/users/me',
      httpMethod: 'GET',
      headers: {},
      requestContext: {
        requestId: 'req-1',
        ...(claims === undefined ? {} : { authorizer: { claims } }),
      },
      ...overrides,
    });

  test("answers the caller's user, by the user id of the token", async () => {
    // Prepare
    const { registerUser, getMe, httpLogger } = usersFunctions();
    await registerUser({ sub: SUB, email: 'Ada@Example.com' }, fixedContext());
    // Act
    const result = await getMe(meEvent({ sub: SUB, [USER_ID_CLAIM]: userId(1), email: 'ada@example.com' }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      userId: userId(1),
      email: 'ada@example.com',
      createdAt: FIXED_NOW,
    });
    expect(result.headers).toMatchObject({ 'X-Request-Id': 'req-1' });
    expect(httpLogger.lines).toEqual([]);
  });

  test.each([
    ['no authorizer context', undefined],
    ['claims without a user id', { sub: SUB, email: 'ada@example.com' }],
    ['a user id that is no user id', { sub: SUB, [USER_ID_CLAIM]: 'prd_01JD0000000000000000000001' }],
  ])('is 401 UNAUTHORIZED with %s', async (_case, claims) => {
    // Prepare
    const { getMe, httpLogger } = usersFunctions();
    // Act
    const result = await getMe(meEvent(claims));
    // Assess
    expect(result.statusCode).toBe(401);
    expect(errorBodyOf(result)).toMatchObject({ error: { code: 'UNAUTHORIZED' }, requestId: 'req-1' });
    expect(httpLogger.lines).toEqual([]);
  });

  test('is 404 USER_NOT_FOUND for a token whose user is unknown', async () => {
    // Prepare
    const { getMe } = usersFunctions();
    // Act
    const result = await getMe(meEvent({ sub: SUB, [USER_ID_CLAIM]: userId(9) }));
    // Assess
    expect(result.statusCode).toBe(404);
    expect(errorBodyOf(result).error).toEqual({
      code: 'USER_NOT_FOUND',
      message: `User ${userId(9)} does not exist.`,
    });
  });

  test('is 400 for a query parameter it does not take', async () => {
    // Prepare
    const { getMe } = usersFunctions();
    // Act
    const result = await getMe(
      meEvent({ [USER_ID_CLAIM]: userId(1) }, { queryStringParameters: { userId: userId(2) } }),
    );
    // Assess
    expect(result.statusCode).toBe(400);
    expect(errorBodyOf(result).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'userId is not allowed',
    });
  });
});
