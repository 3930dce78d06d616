import { LocalCloud, type LocalCloudOptions } from '../local-cloud';
import { sharedDynamoDbEndpoint } from './shared-dynamodb-local';

/**
 * Starts the local cloud for a test suite: on free ports (suites never collide with a running
 * `npm start`), the function logs kept in `logs` instead of printed, and on the test run's shared
 * DynamoDB Local when there is one (its tables made fresh and deleted at stop). `options` win over these.
 *
 * `ownDynamoDb`: a DynamoDB Local of the suite's own instead of the shared one, for a suite that
 * measures contention on DynamoDB: the shared one slows down as a long run's suites come and go (a
 * suite of 20 tests took 5 s on a fresh one, 42 s on the shared one late in `npm test`).
 */
export async function startTestCloud(
  options: LocalCloudOptions,
  { ownDynamoDb = false }: { readonly ownDynamoDb?: boolean } = {},
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const logs: string[] = [];
  const shared = ownDynamoDb ? undefined : sharedDynamoDbEndpoint();
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
