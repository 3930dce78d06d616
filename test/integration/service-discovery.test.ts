/**
 * Service discovery on the local cloud, on the real app: the card processor runs as two instances (two
 * stages of its API, zones a and b) registered in the platform's Cloud Map namespace; the platform's
 * health checker (a scheduled rule, on the schedule clock) probes them; payments discovers them
 * (`shared/discovery`), caches the answer and fails over from an instance that is down. One instance is
 * taken down with the local cloud's `api-unavailable` fault; orders must all still be PAID.
 */
import {
  DiscoverInstancesCommand,
  GetInstancesHealthStatusCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { eventually, type LocalCloud, localClientConfig } from 'cdk-local-cloud';
import { SETTINGS_CONTEXT_KEYS } from '../../infra/app-settings';
import { CARD_PROCESSOR_SERVICE } from '../../infra/stacks/payments-stack';
import { emfMetricSum } from '../support/emf-metrics';
import { customerDirectory, signedInUser, startShopCloud } from '../support/shop-cloud';
import { shopOrders, type TestProduct } from '../support/shop-orders';
import type { SignedInUser } from '../../infra/ops/shop-users';

const PROCESSOR_API = 'payment-provider-api';
const ORDERS_PER_PHASE = 12;
/** The EMF lines of the processor's discoveries (orders discover inventory too). */
const PROCESSOR_DISCOVERIES = `"discoveredService":"${CARD_PROCESSOR_SERVICE}"`;

let cloud: LocalCloud;
let staff: SignedInUser;
let cloudMap: ServiceDiscoveryClient;
let processorServiceId: string;
let product: TestProduct;
const logs: string[] = [];

const orders = shopOrders({
  cloud: () => cloud,
  staff: () => staff,
  customer: customerDirectory(() => cloud, 'discovery'),
  providerUrl: () => cloud.outputs['ShopPaymentProvider']?.['ApiUrl'] ?? '',
  productName: 'Discovery item',
});

async function healthOf(): Promise<Record<string, string>> {
  const { Status = {} } = await cloudMap.send(
    new GetInstancesHealthStatusCommand({ ServiceId: processorServiceId }),
  );
  return Status;
}

/** One round of the health checker: the schedule clock moved past its one-minute rate. */
async function runHealthCheck(): Promise<void> {
  const response = await fetch(`${cloud.apiUrl}/_local/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advanceSeconds: 60 }),
  });
  expect(response.status).toBe(200);
}

/** Places `count` orders at once and waits for each to be settled; answers their statuses. */
async function placeAndSettle(count: number): Promise<string[]> {
  const placed = await Promise.all(
    Array.from({ length: count }, (_, n) =>
      orders.placeOrder([{ product, quantity: 1 }], 'tok_visa', `buyer-${n % 4}`),
    ),
  );
  return Promise.all(
    placed.map(({ orderId }) =>
      eventually(
        async () => {
          const order = await orders.orderOf(orderId);
          return order?.status === 'PAID' || order?.status === 'CANCELLED' ? order.status : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: `order ${orderId} settled` },
      ),
    ),
  );
}

/** Adds a fault that takes the zone-b instance down (`probability` 1), or only counts its requests (0). */
function zoneB(probability: number): string {
  return cloud.faults.add({
    kind: 'api-unavailable',
    target: { apiName: PROCESSOR_API, stageName: 'zone-b' },
    probability,
  }).id;
}

beforeAll(async () => {
  ({ cloud } = await startShopCloud({
    // Five seconds, so that a health change reaches the callers within the test, and the cache still
    // spares calls.
    context: { [SETTINGS_CONTEXT_KEYS.discoveryCacheTtlSeconds]: 5 },
    log: (line) => {
      if (line.includes('"_aws"')) logs.push(line);
    },
  }));
  cloudMap = new ServiceDiscoveryClient({ ...localClientConfig(cloud.edgeUrl), disableHostPrefix: true });
  const { Services = [] } = await cloudMap.send(new ListServicesCommand({}));
  processorServiceId = Services.find((service) => service.Name === CARD_PROCESSOR_SERVICE)?.Id ?? '';
  staff = await signedInUser(cloud, { email: 'staff.discovery@example.com', staff: true });
  product = await orders.newProduct(1_000, 1_000);
}, 300_000);

afterEach(() => {
  cloud?.faults.clear();
});

afterAll(async () => {
  cloudMap?.destroy();
  await cloud?.stop();
});

describe('service discovery of the card processor', () => {
  test('both instances are registered with their attributes, healthy, and answer at the discovered URL', async () => {
    // Act
    const { Instances = [] } = await cloudMap.send(
      new DiscoverInstancesCommand({ NamespaceName: 'shop', ServiceName: CARD_PROCESSOR_SERVICE }),
    );
    const health = await Promise.all(
      Instances.map(async (instance) => (await fetch(instance.Attributes?.['healthUrl'] ?? '')).status),
    );

    // Assess
    expect(Instances.map((instance) => instance.InstanceId).sort()).toEqual(['zone-a', 'zone-b']);
    for (const instance of Instances) {
      const stage = instance.InstanceId === 'zone-a' ? 'prod' : 'zone-b';
      expect(instance.Attributes).toMatchObject({
        // The local API's URL of the instance's stage, where AWS's would be its execute-api URL.
        url: expect.stringMatching(
          new RegExp(`^http://127\\.0\\.0\\.1:\\d+/restapis/\\w+/${stage}/_user_request_/$`),
        ),
        zone: instance.InstanceId,
        weight: '1',
        version: '1',
      });
    }
    expect(health).toEqual([200, 200]);
  });

  test('one instance down: orders fail over and are all PAID; the health checker takes it out of discovery; back up, it gets traffic again; the cache spares discovery calls', async () => {
    // Prepare
    const providerCallsBefore = emfMetricSum(logs, 'ProviderCalls');
    const discoveryCallsBefore = emfMetricSum(logs, 'DiscoveryCalls', PROCESSOR_DISCOVERIES);
    zoneB(1);

    // Act: orders while zone b is down and still listed as healthy, then after a health check.
    const whileListed = await placeAndSettle(ORDERS_PER_PHASE);
    const failedOver = emfMetricSum(logs, 'ProviderInstanceDown');
    await runHealthCheck();
    const healthWhileDown = await eventually(
      async () => {
        const status = await healthOf();
        return status['zone-b'] === 'UNHEALTHY' ? status : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'zone-b marked UNHEALTHY by the health checker' },
    );
    const afterCheck = await placeAndSettle(ORDERS_PER_PHASE);
    cloud.faults.clear();
    const counter = zoneB(0);
    await runHealthCheck();
    const healthWhenBack = await eventually(
      async () => {
        const status = await healthOf();
        return status['zone-b'] === 'HEALTHY' ? status : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'zone-b marked HEALTHY again' },
    );
    const reachedAgain = await eventually(
      async () => {
        await placeAndSettle(2);
        const requests = cloud.faults.list().find((fault) => fault.id === counter)?.matched ?? 0;
        return requests > 0 ? requests : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 0, what: 'a request of the shop to reach zone b again' },
    );
    const providerCalls = emfMetricSum(logs, 'ProviderCalls') - providerCallsBefore;
    const discoveryCalls = emfMetricSum(logs, 'DiscoveryCalls', PROCESSOR_DISCOVERIES) - discoveryCallsBefore;

    // Assess
    expect([...whileListed, ...afterCheck]).toEqual(
      Array.from({ length: 2 * ORDERS_PER_PHASE }, () => 'PAID'),
    );
    expect(failedOver).toBeGreaterThan(0);
    expect(healthWhileDown).toEqual({ 'zone-a': 'HEALTHY', 'zone-b': 'UNHEALTHY' });
    expect(healthWhenBack).toEqual({ 'zone-a': 'HEALTHY', 'zone-b': 'HEALTHY' });
    expect(reachedAgain).toBeGreaterThan(0);
    expect(discoveryCalls).toBeGreaterThan(0);
    expect(discoveryCalls).toBeLessThan(providerCalls);
    console.log(
      `discovery: ${providerCalls} processor calls, ${discoveryCalls} discovery calls, ${failedOver} fail-overs while zone b was down and listed`,
    );
  });
});
