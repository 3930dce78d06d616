import { startDynamoDbLocal, type DynamoDbLocal } from '../dynamodb/dynamodb-local';

/**
 * The environment variable naming the DynamoDB Local that a test run shares between its suites. The JVM
 * starts once and its compiled code stays warm, instead of a cold one starting for every suite.
 */
export const SHARED_DYNAMODB_LOCAL_VARIABLE = 'CDK_LOCAL_CLOUD_SHARED_DYNAMODB';

/** The JVM takes seconds to answer, more on a busy machine. */
const START_TIMEOUT_MS = 60_000;

// Jest loads the global set-up and tear-down modules apart: what they share lives on the global object.
const RUNNING = Symbol.for('cdk-local-cloud.shared-dynamodb-local');
type WithShared = typeof globalThis & { [RUNNING]?: DynamoDbLocal };

/**
 * Starts the DynamoDB Local that the suites of this test run share and announces it in
 * `SHARED_DYNAMODB_LOCAL_VARIABLE` (test files run in this process, or in workers started after it).
 */
export async function startSharedDynamoDbLocal(): Promise<DynamoDbLocal> {
  const holder = globalThis as WithShared;
  const running = holder[RUNNING] ?? (await startDynamoDbLocal({ startTimeoutMs: START_TIMEOUT_MS }));
  holder[RUNNING] = running;
  process.env[SHARED_DYNAMODB_LOCAL_VARIABLE] = running.endpoint;
  return running;
}

export async function stopSharedDynamoDbLocal(): Promise<void> {
  const holder = globalThis as WithShared;
  const running = holder[RUNNING];
  holder[RUNNING] = undefined;
  delete process.env[SHARED_DYNAMODB_LOCAL_VARIABLE];
  await running?.stop();
}

/** The shared DynamoDB Local's endpoint, when the test run has one. */
export function sharedDynamoDbEndpoint(): string | undefined {
  const endpoint = process.env[SHARED_DYNAMODB_LOCAL_VARIABLE];
  return endpoint === undefined || endpoint === '' ? undefined : endpoint;
}
