import { LocalCloud, type LocalCloudOptions } from '../local-cloud';
import { sharedDynamoDbEndpoint } from './shared-dynamodb-local';

/**
 * Starts the local cloud for a test suite: on free ports (suites never collide with a running
 * `npm start`), the function logs kept in `logs` instead of printed, and on the test run's shared
 * DynamoDB Local when there is one (its tables made fresh and deleted at stop). `options` win over these.
 */
export async function startTestCloud(
  options: LocalCloudOptions,
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const logs: string[] = [];
  const shared = sharedDynamoDbEndpoint();
  const cloud = await LocalCloud.start({
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    log: (line) => logs.push(line),
    ...(shared === undefined || options.persistDir !== undefined || options.dynamoDbEndpoint !== undefined
      ? {}
      : { dynamoDbEndpoint: shared, disposableTables: true }),
    ...options,
  });
  return { cloud, logs };
}
