/**
 * Jest `globalSetup`: one DynamoDB Local for every suite of a run that runs its suites one at a time
 * (`--runInBand`, or one worker); `startTestCloud` and the suites' own tables then use it. Suites running
 * side by side would meet each other's tables, so with more workers each suite keeps a DynamoDB Local of
 * its own. Pair it with `cdk-local-cloud/jest-global-teardown`.
 */
import { startSharedDynamoDbLocal } from './shared-dynamodb-local';

export default async function globalSetup(globalConfig: { readonly maxWorkers: number }): Promise<void> {
  if (globalConfig.maxWorkers === 1) await startSharedDynamoDbLocal();
}
