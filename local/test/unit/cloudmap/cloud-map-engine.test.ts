/**
 * The local Cloud Map through the AWS SDK's own client, over HTTP: what `ServiceDiscoveryClient` sends and
 * parses is the contract. The client runs with `disableHostPrefix`, as a client outside the local cloud must
 * (it would send `DiscoverInstances` to `data-127.0.0.1`).
 */
import {
  CreateHttpNamespaceCommand,
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  GetInstanceCommand,
  GetInstancesHealthStatusCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
  UpdateInstanceCustomHealthStatusCommand,
  paginateGetInstancesHealthStatus,
  paginateListInstances,
  type DiscoverInstancesCommandInput,
  type HttpInstanceSummary,
} from '@aws-sdk/client-servicediscovery';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { CloudMapEngine } from '../../../src/cloudmap/cloud-map-engine';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { localClientConfig } from '../../../src/testing/client-config';
import { refusal } from '../../support/refusal';

const NAMESPACE_ID = 'ns-shop0000000000001';
const ORDERS_ID = 'srv-orders000000001';
const CATALOG_ID = 'srv-catalog00000001';
const arnOf = (resource: string) => `arn:aws:servicediscovery:us-east-1:000000000000:${resource}`;

const now = Date.parse('2026-12-01T00:00:00Z');
let engine: CloudMapEngine;
let server: RunningServer;
let cloudMap: ServiceDiscoveryClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveJsonProtocol([engine], req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  cloudMap = new ServiceDiscoveryClient({
    ...localClientConfig(server.url),
    disableHostPrefix: true,
    maxAttempts: 1,
  });
});

beforeEach(() => {
  // As the template makes them: an HTTP namespace, a service with a custom health check, one without.
  engine = new CloudMapEngine({ clock: () => now });
  engine.createHttpNamespace({
    id: NAMESPACE_ID,
    arn: arnOf(`namespace/${NAMESPACE_ID}`),
    name: 'shop',
    description: 'the shop',
  });
  engine.createService({
    id: ORDERS_ID,
    arn: arnOf(`service/${ORDERS_ID}`),
    name: 'orders',
    namespaceId: NAMESPACE_ID,
    customHealthCheck: true,
  });
  engine.createService({
    id: CATALOG_ID,
    arn: arnOf(`service/${CATALOG_ID}`),
    name: 'catalog',
    namespaceId: NAMESPACE_ID,
    description: 'no health check',
    customHealthCheck: false,
  });
});

afterAll(async () => {
  cloudMap?.destroy();
  await server?.close();
});

const register = (InstanceId: string, Attributes: Record<string, string>, ServiceId = ORDERS_ID) =>
  cloudMap.send(new RegisterInstanceCommand({ ServiceId, InstanceId, Attributes }));

const discover = async (input: Partial<DiscoverInstancesCommandInput> = {}) =>
  cloudMap.send(new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: 'orders', ...input }));

const idsOf = (instances: readonly HttpInstanceSummary[] | undefined) =>
  (instances ?? []).map((instance) => instance.InstanceId).sort();

describe('registration', () => {
  test('RegisterInstance answers an operation that GetOperation reports done, with its targets', async () => {
    // Act
    const { OperationId } = await register('orders-a', { url: 'http://127.0.0.1:3000/prod', zone: 'a' });
    const { Operation } = await cloudMap.send(new GetOperationCommand({ OperationId }));

    // Assess
    expect(Operation).toEqual({
      Id: OperationId,
      OwnerAccount: '000000000000',
      Type: 'REGISTER_INSTANCE',
      Status: 'SUCCESS',
      CreateDate: new Date(now),
      UpdateDate: new Date(now),
      Targets: { INSTANCE: 'orders-a', SERVICE: ORDERS_ID },
    });
  });

  test('GetInstance and ListInstances show the attributes, by service id or ARN', async () => {
    // Arrange
    await cloudMap.send(
      new RegisterInstanceCommand({
        ServiceId: arnOf(`service/${ORDERS_ID}`),
        InstanceId: 'orders-a',
        CreatorRequestId: 'request-1',
        Attributes: { url: 'http://127.0.0.1:3000/prod', weight: '2' },
      }),
    );

    // Act
    const { Instance, ResourceOwner } = await cloudMap.send(
      new GetInstanceCommand({ ServiceId: ORDERS_ID, InstanceId: 'orders-a' }),
    );
    const { Instances } = await cloudMap.send(new ListInstancesCommand({ ServiceId: ORDERS_ID }));

    // Assess
    expect(ResourceOwner).toBe('000000000000');
    expect(Instance).toEqual({
      Id: 'orders-a',
      CreatorRequestId: 'request-1',
      Attributes: { url: 'http://127.0.0.1:3000/prod', weight: '2' },
      CreatedByAccount: '000000000000',
    });
    expect(Instances).toEqual([
      {
        Id: 'orders-a',
        Attributes: { url: 'http://127.0.0.1:3000/prod', weight: '2' },
        CreatedByAccount: '000000000000',
      },
    ]);
  });

  test('registering an instance id again replaces its attributes and resets its health', async () => {
    // Arrange
    await register('orders-a', { version: 'v1' });
    await cloudMap.send(
      new UpdateInstanceCustomHealthStatusCommand({
        ServiceId: ORDERS_ID,
        InstanceId: 'orders-a',
        Status: 'UNHEALTHY',
      }),
    );

    // Act
    await register('orders-a', { version: 'v2' });
    const { Instances } = await discover();

    // Assess
    expect(Instances).toEqual([
      {
        InstanceId: 'orders-a',
        NamespaceName: 'shop',
        ServiceName: 'orders',
        HealthStatus: 'HEALTHY',
        Attributes: { version: 'v2' },
      },
    ]);
  });

  test('DeregisterInstance removes the instance and answers a DEREGISTER_INSTANCE operation', async () => {
    // Arrange
    await register('orders-a', { zone: 'a' });
    await register('orders-b', { zone: 'b' });

    // Act
    const { OperationId } = await cloudMap.send(
      new DeregisterInstanceCommand({ ServiceId: ORDERS_ID, InstanceId: 'orders-a' }),
    );
    const { Operation } = await cloudMap.send(new GetOperationCommand({ OperationId }));
    const { Instances } = await discover({ HealthStatus: 'ALL' });

    // Assess
    expect(Operation).toMatchObject({ Type: 'DEREGISTER_INSTANCE', Status: 'SUCCESS' });
    expect(idsOf(Instances)).toEqual(['orders-b']);
  });
});

describe('custom health', () => {
  test('a new instance is HEALTHY unless AWS_INIT_HEALTH_STATUS says otherwise', async () => {
    // Arrange
    await register('orders-a', {});
    await register('orders-b', { AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });

    // Act
    const { Status } = await cloudMap.send(new GetInstancesHealthStatusCommand({ ServiceId: ORDERS_ID }));

    // Assess
    expect(Status).toEqual({ 'orders-a': 'HEALTHY', 'orders-b': 'UNHEALTHY' });
  });

  test('UpdateInstanceCustomHealthStatus changes what HEALTHY discovery finds, not the revision', async () => {
    // Arrange
    await register('orders-a', {});
    await register('orders-b', {});
    const before = await discover();

    // Act
    await cloudMap.send(
      new UpdateInstanceCustomHealthStatusCommand({
        ServiceId: ORDERS_ID,
        InstanceId: 'orders-b',
        Status: 'UNHEALTHY',
      }),
    );
    const healthy = await discover({ HealthStatus: 'HEALTHY' });
    const unhealthy = await discover({ HealthStatus: 'UNHEALTHY' });
    const all = await discover({ HealthStatus: 'ALL' });

    // Assess
    expect(idsOf(before.Instances)).toEqual(['orders-a', 'orders-b']);
    expect(idsOf(healthy.Instances)).toEqual(['orders-a']);
    expect(unhealthy.Instances).toEqual([
      expect.objectContaining({ InstanceId: 'orders-b', HealthStatus: 'UNHEALTHY' }),
    ]);
    expect(idsOf(all.Instances)).toEqual(['orders-a', 'orders-b']);
    expect(healthy.InstancesRevision).toBe(before.InstancesRevision);
  });

  test('a service without a custom health check refuses UpdateInstanceCustomHealthStatus', async () => {
    // Arrange
    await register('catalog-a', {}, CATALOG_ID);

    // Act
    const refused = await refusal(
      cloudMap.send(
        new UpdateInstanceCustomHealthStatusCommand({
          ServiceId: CATALOG_ID,
          InstanceId: 'catalog-a',
          Status: 'UNHEALTHY',
        }),
      ),
    );

    // Assess
    expect(refused).toMatchObject({ name: 'CustomHealthNotFound', status: 400 });
  });

  test('a service without a health check reports UNKNOWN and ignores the health filter', async () => {
    // Arrange
    await register('catalog-a', { AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }, CATALOG_ID);

    // Act
    const { Instances } = await discover({ ServiceName: 'catalog', HealthStatus: 'HEALTHY' });
    const { Status } = await cloudMap.send(new GetInstancesHealthStatusCommand({ ServiceId: CATALOG_ID }));

    // Assess
    expect(Instances).toEqual([
      expect.objectContaining({ InstanceId: 'catalog-a', HealthStatus: 'UNKNOWN' }),
    ]);
    expect(Status).toEqual({ 'catalog-a': 'UNKNOWN' });
  });
});

describe('DiscoverInstances', () => {
  beforeEach(async () => {
    await register('orders-a', { zone: 'a', version: 'v1', weight: '1' });
    await register('orders-b', { zone: 'b', version: 'v1', weight: '2' });
    await register('orders-c', { zone: 'a', version: 'v2', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
  });

  test('answers the healthy instances by default, with names, health and attributes', async () => {
    // Act
    const { Instances, InstancesRevision } = await discover();

    // Assess
    expect(InstancesRevision).toBe(3);
    expect(Instances).toHaveLength(2);
    expect(Instances).toEqual(
      expect.arrayContaining([
        {
          InstanceId: 'orders-a',
          NamespaceName: 'shop',
          ServiceName: 'orders',
          HealthStatus: 'HEALTHY',
          Attributes: { zone: 'a', version: 'v1', weight: '1' },
        },
      ]),
    );
  });

  test('QueryParameters keep the instances that match every pair', async () => {
    // Act
    const zoneA = await discover({ HealthStatus: 'ALL', QueryParameters: { zone: 'a' } });
    const zoneAv2 = await discover({ HealthStatus: 'ALL', QueryParameters: { zone: 'a', version: 'v2' } });
    const none = await discover({ QueryParameters: { zone: 'c' } });

    // Assess
    expect(idsOf(zoneA.Instances)).toEqual(['orders-a', 'orders-c']);
    expect(idsOf(zoneAv2.Instances)).toEqual(['orders-c']);
    expect(none.Instances).toEqual([]);
  });

  test('OptionalParameters narrow the answer when some instances match them, and are ignored otherwise', async () => {
    // Act
    const preferred = await discover({ OptionalParameters: { zone: 'b' } });
    const noneMatch = await discover({ OptionalParameters: { zone: 'c' } });

    // Assess
    expect(idsOf(preferred.Instances)).toEqual(['orders-b']);
    expect(idsOf(noneMatch.Instances)).toEqual(['orders-a', 'orders-b']);
  });

  test('HEALTHY_OR_ELSE_ALL fails open when no instance is healthy', async () => {
    // Arrange
    const healthyOnes = await discover({ HealthStatus: 'HEALTHY_OR_ELSE_ALL' });
    for (const InstanceId of ['orders-a', 'orders-b']) {
      await cloudMap.send(
        new UpdateInstanceCustomHealthStatusCommand({
          ServiceId: ORDERS_ID,
          InstanceId,
          Status: 'UNHEALTHY',
        }),
      );
    }

    // Act
    const failedOpen = await discover({ HealthStatus: 'HEALTHY_OR_ELSE_ALL' });
    const strictlyHealthy = await discover({ HealthStatus: 'HEALTHY' });

    // Assess
    expect(idsOf(healthyOnes.Instances)).toEqual(['orders-a', 'orders-b']);
    expect(idsOf(failedOpen.Instances)).toEqual(['orders-a', 'orders-b', 'orders-c']);
    expect(strictlyHealthy.Instances).toEqual([]);
  });

  test('MaxResults caps the answer', async () => {
    // Act
    const { Instances } = await discover({ HealthStatus: 'ALL', MaxResults: 2 });

    // Assess
    expect(Instances).toHaveLength(2);
  });

  test('the revision grows with registrations and deregistrations', async () => {
    // Arrange
    const before = await cloudMap.send(
      new DiscoverInstancesRevisionCommand({ NamespaceName: 'shop', ServiceName: 'orders' }),
    );

    // Act
    await register('orders-d', {});
    await cloudMap.send(new DeregisterInstanceCommand({ ServiceId: ORDERS_ID, InstanceId: 'orders-a' }));
    const after = await cloudMap.send(
      new DiscoverInstancesRevisionCommand({ NamespaceName: 'shop', ServiceName: 'orders' }),
    );

    // Assess
    expect(before.InstancesRevision).toBe(3);
    expect(after.InstancesRevision).toBe(5);
  });

  test('an unknown namespace or service is refused in Cloud Map’s words', async () => {
    // Act
    const noNamespace = await refusal(discover({ NamespaceName: 'elsewhere' }));
    const noService = await refusal(discover({ ServiceName: 'payments' }));

    // Assess
    expect(noNamespace).toEqual({ name: 'NamespaceNotFound', message: 'Namespace not found', status: 400 });
    expect(noService).toEqual({ name: 'ServiceNotFound', message: 'Service not found', status: 400 });
  });
});

describe('errors', () => {
  test.each([
    [
      'GetInstance of an unknown instance',
      () => new GetInstanceCommand({ ServiceId: ORDERS_ID, InstanceId: 'x' }),
      'InstanceNotFound',
    ],
    [
      'DeregisterInstance of an unknown instance',
      () => new DeregisterInstanceCommand({ ServiceId: ORDERS_ID, InstanceId: 'x' }),
      'InstanceNotFound',
    ],
    [
      'GetInstancesHealthStatus naming an unknown instance',
      () => new GetInstancesHealthStatusCommand({ ServiceId: ORDERS_ID, Instances: ['x'] }),
      'InstanceNotFound',
    ],
    [
      'UpdateInstanceCustomHealthStatus of an unknown instance',
      () =>
        new UpdateInstanceCustomHealthStatusCommand({
          ServiceId: ORDERS_ID,
          InstanceId: 'x',
          Status: 'HEALTHY',
        }),
      'InstanceNotFound',
    ],
    [
      'RegisterInstance in an unknown service',
      () => new RegisterInstanceCommand({ ServiceId: 'srv-nothere', InstanceId: 'a', Attributes: {} }),
      'ServiceNotFound',
    ],
    [
      'ListInstances of an unknown service',
      () => new ListInstancesCommand({ ServiceId: 'srv-nothere' }),
      'ServiceNotFound',
    ],
    [
      'GetService of an unknown service',
      () => new GetServiceCommand({ Id: 'srv-nothere' }),
      'ServiceNotFound',
    ],
    [
      'GetNamespace of an unknown namespace',
      () => new GetNamespaceCommand({ Id: 'ns-nothere' }),
      'NamespaceNotFound',
    ],
    [
      'GetOperation of an unknown operation',
      () => new GetOperationCommand({ OperationId: 'nothing' }),
      'OperationNotFound',
    ],
    [
      'an AWS_INIT_HEALTH_STATUS other than HEALTHY or UNHEALTHY',
      () =>
        new RegisterInstanceCommand({
          ServiceId: ORDERS_ID,
          InstanceId: 'a',
          Attributes: { AWS_INIT_HEALTH_STATUS: 'MAYBE' },
        }),
      'InvalidInput',
    ],
    [
      'an instance id of forbidden characters',
      () => new RegisterInstanceCommand({ ServiceId: ORDERS_ID, InstanceId: 'a b', Attributes: {} }),
      'InvalidInput',
    ],
    [
      'a MaxResults above 100',
      () => new ListInstancesCommand({ ServiceId: ORDERS_ID, MaxResults: 101 }),
      'InvalidInput',
    ],
    [
      'a token that is not one',
      () => new ListInstancesCommand({ ServiceId: ORDERS_ID, NextToken: 'bogus' }),
      'InvalidInput',
    ],
    [
      'a health filter Cloud Map does not know',
      () =>
        new DiscoverInstancesCommand({
          NamespaceName: 'shop',
          ServiceName: 'orders',
          HealthStatus: 'SOMETIMES' as 'ALL',
        }),
      'InvalidInput',
    ],
    [
      'an operation that changes namespaces',
      () => new CreateHttpNamespaceCommand({ Name: 'other' }),
      'UnknownOperationException',
    ],
  ])('%s is refused', async (_case, command, code) => {
    // Act
    const refused = await refusal(cloudMap.send(command() as GetInstanceCommand));

    // Assess
    expect(refused).toMatchObject({ name: code, status: 400 });
  });
});

describe('services, namespaces and pages', () => {
  test('GetService and GetNamespace describe what the template made', async () => {
    // Arrange
    await register('orders-a', {});

    // Act
    const { Service } = await cloudMap.send(new GetServiceCommand({ Id: ORDERS_ID }));
    const { Namespace } = await cloudMap.send(new GetNamespaceCommand({ Id: NAMESPACE_ID }));

    // Assess
    expect(Service).toEqual({
      Id: ORDERS_ID,
      Arn: arnOf(`service/${ORDERS_ID}`),
      ResourceOwner: '000000000000',
      Name: 'orders',
      NamespaceId: NAMESPACE_ID,
      Type: 'HTTP',
      InstanceCount: 1,
      HealthCheckCustomConfig: { FailureThreshold: 1 },
      CreateDate: new Date(now),
      CreatedByAccount: '000000000000',
    });
    expect(Namespace).toEqual({
      Id: NAMESPACE_ID,
      Arn: arnOf(`namespace/${NAMESPACE_ID}`),
      ResourceOwner: '000000000000',
      Name: 'shop',
      Description: 'the shop',
      Type: 'HTTP',
      ServiceCount: 2,
      Properties: { DnsProperties: { SOA: {} }, HttpProperties: { HttpName: 'shop' } },
      CreateDate: new Date(now),
    });
  });

  test('ListServices and ListNamespaces filter as Cloud Map does', async () => {
    // Act
    const inShop = await cloudMap.send(
      new ListServicesCommand({
        Filters: [{ Name: 'NAMESPACE_ID', Values: [NAMESPACE_ID], Condition: 'EQ' }],
      }),
    );
    const elsewhere = await cloudMap.send(
      new ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: ['ns-other'] }] }),
    );
    const byPrefix = await cloudMap.send(
      new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: ['sh'], Condition: 'BEGINS_WITH' }] }),
    );
    const dnsOnes = await cloudMap.send(
      new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['DNS_PRIVATE'] }] }),
    );

    // Assess
    expect(inShop.Services?.map((service) => service.Name)).toEqual(['orders', 'catalog']);
    expect(elsewhere.Services).toEqual([]);
    expect(byPrefix.Namespaces?.map((namespace) => namespace.Id)).toEqual([NAMESPACE_ID]);
    expect(dnsOnes.Namespaces).toEqual([]);
  });

  test('ListInstances and GetInstancesHealthStatus page with NextToken', async () => {
    // Arrange
    for (const letter of ['a', 'b', 'c', 'd', 'e']) await register(`orders-${letter}`, {});

    // Act
    const listed: string[][] = [];
    for await (const page of paginateListInstances(
      { client: cloudMap, pageSize: 2 },
      { ServiceId: ORDERS_ID },
    )) {
      listed.push((page.Instances ?? []).map((instance) => instance.Id ?? ''));
    }
    const statuses: string[][] = [];
    for await (const page of paginateGetInstancesHealthStatus(
      { client: cloudMap, pageSize: 3 },
      { ServiceId: ORDERS_ID },
    )) {
      statuses.push(Object.keys(page.Status ?? {}));
    }

    // Assess
    expect(listed).toEqual([['orders-a', 'orders-b'], ['orders-c', 'orders-d'], ['orders-e']]);
    expect(statuses).toEqual([
      ['orders-a', 'orders-b', 'orders-c'],
      ['orders-d', 'orders-e'],
    ]);
  });
});
