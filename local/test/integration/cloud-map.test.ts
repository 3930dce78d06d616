/**
 * AWS Cloud Map in the local cloud, end to end on `test/fixtures/cloud-map-fixture-app.ts`: the template's
 * namespace, services and instances (an instance's URL attribute naming the local API), instances
 * registered and deregistered at run time, custom health, and a function inside the local cloud that
 * discovers instances with a plain SDK client — the SDK sends that to `data-127.0.0.1`.
 */
import {
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  GetServiceCommand,
  ListNamespacesCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
  UpdateInstanceCustomHealthStatusCommand,
  type DiscoverInstancesCommandInput,
} from '@aws-sdk/client-servicediscovery';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { NAMESPACE_NAME, TEMPLATE_INSTANCE_ID } from '../fixtures/cloud-map-fixture-app';
import { startFixtureCloud } from '../support/fixture-cloud';

interface FixtureOutputs {
  readonly NamespaceId: string;
  readonly NamespaceArn: string;
  readonly OrdersServiceId: string;
  readonly OrdersServiceArn: string;
  readonly AuditServiceId: string;
  readonly OrdersApiUrl: string;
}

interface DiscoveredInFunction {
  readonly instances: readonly { readonly id: string; readonly attributes: Record<string, string> }[];
  readonly pingStatus: number | null;
}

let cloud: LocalCloud;
let logs: string[];
let cloudMap: ServiceDiscoveryClient;
let outputs: FixtureOutputs;

beforeAll(async () => {
  ({ cloud, logs } = await startFixtureCloud({
    appCommand: 'npx tsx test/fixtures/cloud-map-fixture-app.ts',
    defaultApiName: 'cloud-map-fixture-api',
  }));
  // Outside the local cloud a client must not prefix the host (`data-127.0.0.1` resolves nowhere).
  cloudMap = new ServiceDiscoveryClient({
    ...localClientConfig(cloud.edgeUrl),
    disableHostPrefix: true,
    maxAttempts: 1,
  });
  const all = (await (await fetch(`${cloud.apiUrl}/_local/outputs`)).json()) as Record<
    string,
    FixtureOutputs
  >;
  outputs = all.CloudMapFixture as FixtureOutputs;
}, 180_000);

afterAll(async () => {
  cloudMap?.destroy();
  await cloud?.stop();
});

const discoverOrders = (input: Partial<DiscoverInstancesCommandInput> = {}) =>
  cloudMap.send(
    new DiscoverInstancesCommand({ NamespaceName: NAMESPACE_NAME, ServiceName: 'orders', ...input }),
  );

test('the template’s instance is discovered with its attributes, its URL the local API’s', async () => {
  // Act
  const { Instances } = await discoverOrders();
  const url = Instances?.[0]?.Attributes?.url ?? '';
  const ping = await fetch(`${url.replace(/\/$/, '')}/ping`);

  // Assess
  expect(Instances).toEqual([
    {
      InstanceId: TEMPLATE_INSTANCE_ID,
      NamespaceName: NAMESPACE_NAME,
      ServiceName: 'orders',
      HealthStatus: 'HEALTHY',
      Attributes: {
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
        zone: 'a',
        weight: '1',
        version: 'v1',
      },
    },
  ]);
  expect(url).toBe(outputs.OrdersApiUrl);
  expect(ping.status).toBe(200);
});

test('the template’s namespace and services are those CloudFormation’s outputs name', async () => {
  // Act
  const { Service } = await cloudMap.send(new GetServiceCommand({ Id: outputs.OrdersServiceId }));
  const { Namespaces } = await cloudMap.send(new ListNamespacesCommand({}));
  const resources = (await (await fetch(`${cloud.apiUrl}/_local/resources`)).json()) as {
    cloudMapServices: string[];
    unsupported: string[];
  };

  // Assess
  expect(outputs.NamespaceId).toMatch(/^ns-[a-z0-9]{16}$/);
  expect(outputs.OrdersServiceId).toMatch(/^srv-[a-z0-9]{16}$/);
  expect(Service).toMatchObject({
    Id: outputs.OrdersServiceId,
    Arn: outputs.OrdersServiceArn,
    Name: 'orders',
    NamespaceId: outputs.NamespaceId,
    Description: 'the orders API',
    InstanceCount: 1,
    HealthCheckCustomConfig: { FailureThreshold: 1 },
  });
  expect(Namespaces).toEqual([
    expect.objectContaining({ Id: outputs.NamespaceId, Arn: outputs.NamespaceArn, Name: NAMESPACE_NAME }),
  ]);
  expect(resources.cloudMapServices).toEqual(
    expect.arrayContaining([
      `${NAMESPACE_NAME}/orders (1 instance, custom health check)`,
      `${NAMESPACE_NAME}/audit (1 instance)`,
    ]),
  );
  expect(resources.unsupported.filter((line) => line.includes('ServiceDiscovery'))).toEqual([]);
});

test('instances registered at run time are discovered beside the template’s until deregistered', async () => {
  // Arrange
  await cloudMap.send(
    new RegisterInstanceCommand({
      ServiceId: outputs.OrdersServiceId,
      InstanceId: 'orders-secondary',
      Attributes: { url: 'http://127.0.0.1:9/', zone: 'b', weight: '3', version: 'v2' },
    }),
  );

  // Act
  const registered = await discoverOrders({ QueryParameters: { zone: 'b' } });
  const both = await discoverOrders();
  await cloudMap.send(
    new DeregisterInstanceCommand({ ServiceId: outputs.OrdersServiceId, InstanceId: 'orders-secondary' }),
  );
  const afterDeregistration = await discoverOrders();

  // Assess
  expect(registered.Instances?.map((instance) => instance.InstanceId)).toEqual(['orders-secondary']);
  expect(both.Instances?.map((instance) => instance.InstanceId).sort()).toEqual([
    TEMPLATE_INSTANCE_ID,
    'orders-secondary',
  ]);
  expect(afterDeregistration.Instances?.map((instance) => instance.InstanceId)).toEqual([
    TEMPLATE_INSTANCE_ID,
  ]);
});

test('an instance reported UNHEALTHY is hidden from HEALTHY discovery until it is healthy again', async () => {
  // Arrange
  const report = (Status: 'HEALTHY' | 'UNHEALTHY') =>
    cloudMap.send(
      new UpdateInstanceCustomHealthStatusCommand({
        ServiceId: outputs.OrdersServiceId,
        InstanceId: TEMPLATE_INSTANCE_ID,
        Status,
      }),
    );

  // Act
  await report('UNHEALTHY');
  const healthy = await discoverOrders({ HealthStatus: 'HEALTHY' });
  const all = await discoverOrders({ HealthStatus: 'ALL' });
  await report('HEALTHY');
  const recovered = await discoverOrders({ HealthStatus: 'HEALTHY' });

  // Assess
  expect(healthy.Instances).toEqual([]);
  expect(all.Instances).toEqual([
    expect.objectContaining({ InstanceId: TEMPLATE_INSTANCE_ID, HealthStatus: 'UNHEALTHY' }),
  ]);
  expect(recovered.Instances?.map((instance) => instance.InstanceId)).toEqual([TEMPLATE_INSTANCE_ID]);
});

test('a function discovers instances with a plain SDK client and calls the URL it found', async () => {
  // Act
  const answer = await fetch(`${cloud.apiUrl}/discover`);
  const body = (await answer.json()) as DiscoveredInFunction;

  // Assess
  expect({ status: answer.status, logs: answer.status === 200 ? [] : logs.slice(-20) }).toEqual({
    status: 200,
    logs: [],
  });
  expect(body).toEqual({
    instances: [
      {
        id: TEMPLATE_INSTANCE_ID,
        attributes: { url: outputs.OrdersApiUrl, zone: 'a', weight: '1', version: 'v1' },
      },
    ],
    pingStatus: 200,
  });
});

test('a service without a health check answers every instance, its health UNKNOWN', async () => {
  // Act
  const { Instances } = await cloudMap.send(
    new DiscoverInstancesCommand({
      NamespaceName: NAMESPACE_NAME,
      ServiceName: 'audit',
      HealthStatus: 'HEALTHY',
    }),
  );

  // Assess
  expect(Instances).toEqual([
    {
      InstanceId: 'audit-primary',
      NamespaceName: NAMESPACE_NAME,
      ServiceName: 'audit',
      HealthStatus: 'UNKNOWN',
      Attributes: { url: 'https://audit.example.com/', zone: 'b' },
    },
  ]);
});
