/** Jest `globalTeardown`: stops the DynamoDB Local that `cdk-local-cloud/jest-global-setup` started. */
import { stopSharedDynamoDbLocal } from './shared-dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  await stopSharedDynamoDbLocal();
}
