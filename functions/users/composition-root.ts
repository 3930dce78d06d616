/**
 * Builds each users function's dependencies once per container, from its own configuration only (the
 * relay knows nothing of tables). Handlers call one of these at module load:
 * `export const handler = makeXxxHandler(xxxDependencies())`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newId } from '../../shared/ids/ids';
import { logger } from '../../shared/observability/logger';
import { tracedClient } from '../../shared/observability/tracer';
import type { OutboxRelayHandler } from '../../shared/outbox/outbox-relay';
import { lambdaOutboxRelay } from '../../shared/outbox/lambda-outbox-relay';
import type { RetryPolicy } from '../../shared/outbox/retry-policy';
import { DynamoDbUserRepository } from './adapters/dynamodb-user-repository';
import { makeFindUserId } from './application/find-user-id';
import { makeGetUser } from './application/get-user';
import { makeRegisterUser } from './application/register-user';
import { loadUsersConfig } from './config';
import { currentTraceHeader } from '../../shared/config/env';
import { USERS_EVENT_SOURCE } from './contracts/users-events';
import { triggerCommandContext } from './handlers/cognito-trigger';
import type { GetMeHandlerDependencies } from './handlers/get-me';
import type { PostConfirmationHandlerDependencies } from './handlers/post-confirmation';
import type { PreTokenGenerationHandlerDependencies } from './handlers/pre-token-generation';

/** The relay's own retries of rejected entries; the event source mapping retries whole batches after. */
const RELAY_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

let dynamoDbClient: DynamoDBClient | undefined;
function dynamoDb(): DynamoDBClient {
  dynamoDbClient ??= tracedClient(new DynamoDBClient({}));
  return dynamoDbClient;
}

function userRepository(): DynamoDbUserRepository {
  return new DynamoDbUserRepository({ client: dynamoDb(), tableName: loadUsersConfig().usersTable });
}

/** The pool's PostConfirmation trigger. */
export function postConfirmationDependencies(): PostConfirmationHandlerDependencies {
  return {
    registerUser: makeRegisterUser({ repository: userRepository(), newUserId: () => newId('user') }),
    newContext: triggerCommandContext(() => currentTraceHeader()),
    logger,
  };
}

/** The pool's PreTokenGeneration trigger. */
export function preTokenGenerationDependencies(): PreTokenGenerationHandlerDependencies {
  return { findUserId: makeFindUserId({ repository: userRepository() }), logger };
}

export function getMeDependencies(): GetMeHandlerDependencies {
  return { getUser: makeGetUser({ repository: userRepository() }) };
}

export function outboxRelay(): OutboxRelayHandler {
  return lambdaOutboxRelay({
    source: USERS_EVENT_SOURCE,
    retry: RELAY_RETRY,
  });
}
