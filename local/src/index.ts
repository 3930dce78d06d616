/**
 * The local cloud's public API: what a CDK app's own tests and scripts use. Everything else under
 * `src/` is internal and may change.
 */
export {
  LocalCloud,
  DEFAULT_STREAM_POLL_INTERVAL_MS,
  describeStartup,
  type LocalCloudOptions,
  type LoadedSummary,
  type StartupReport,
} from './local-cloud';
export {
  startDynamoDbLocal,
  DynamoDbLocalError,
  type DynamoDbLocal,
  type DynamoDbLocalOptions,
} from './dynamodb/dynamodb-local';
// Deletes a table if there is one: suites on a shared DynamoDB Local clean up after themselves.
export { deleteTable } from './dynamodb/table-provisioner';
export { assertJavaAvailable, JavaMissingError, REQUIRED_JAVA_MAJOR } from './java-runtime';
export { SynthesisError } from './assembly/cloud-assembly';
// The engines on their own, for tests that need one service without a whole app.
export {
  EventBridgeEngine,
  type EventBridgeEngineOptions,
  type DeliveryContext,
  type Target,
  type TargetDispatcher,
} from './eventbridge/event-bus';
export { serveJsonProtocol } from './http/json-protocol';
// What the `/_local` endpoints answer, typed.
export type { ExecutionSummary } from './stepfunctions/step-functions-engine';
export type { InvocationRecord } from './lambda/worker-pool';
export type { AliasChange, RedeployReport } from './cloud/redeploy';
export type { UserPoolDescription } from './cognito/cognito-engine';
// Fault injection's seeded generator: the same seed gives the same decisions.
export { SeededRandom } from './faults/seeded-random';
// Waiting for asynchronous effects with a deadline, never a fixed sleep.
export { eventually, waitUntil, type WaitOptions } from './testing/eventually';
export { localClientConfig } from './testing/client-config';
export { startTestCloud } from './testing/start-test-cloud';
// One DynamoDB Local for a whole test run (the jest global set-up starts it).
export {
  startSharedDynamoDbLocal,
  stopSharedDynamoDbLocal,
  sharedDynamoDbEndpoint,
  SHARED_DYNAMODB_LOCAL_VARIABLE,
} from './testing/shared-dynamodb-local';
// Measures for benchmarks run side by side.
export { cpuMark, cpuShare, latencies, percentile, processTicks, throughput, type CpuMark } from './measure';
