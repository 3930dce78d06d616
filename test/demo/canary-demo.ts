/**
 * `npm run demo:canary [-- --good] [--bake <seconds>] [--failure-rate <0–1>]`: a canary rollout of
 * POST /orders on the local cloud (the one `npm start` runs, or one of its own).
 *
 * It deploys a new create-order version — by default one built to fail a share of its requests
 * (`shop:injectedFailureRate`, a build-time switch), with `--good` a sound one — while a customer's
 * client retries an order (the same `Idempotency-Key`: every request runs the function, no new order
 * is made). The controller moves `live` 1 → 5 → 10 → 50 → 100 %; the bad version's errors fire its
 * alarm and the rollout rolls back on its own; the good one is approved by staff at 50 % and goes to
 * 100 %. Each step is printed; the last line is one JSON object: `outcome`, `steps`, `timeToDetectMs`
 * (first error a client saw → the alarm in ALARM), `timeToRollbackMs` (the alarm → the alias back),
 * `requestsServedByNewVersion`, `errorsSeenByClients`.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { localClientConfig, type LocalCloud } from 'cdk-local-cloud';
import { followRollout, startRollout, versionInvocations } from '../../infra/ops/canary-rollouts';
import { deployHoldingCanaries } from '../../infra/ops/deploy-local';
import { shopClients } from '../../infra/ops/shop-clients';
import { startShopCloud } from '../support/shop-cloud';
import { shopUserPool, signUpAndSignIn } from '../../infra/ops/shop-users';

interface Endpoints {
  readonly apiUrl: string;
  readonly edgeUrl: string;
  readonly stop: () => Promise<void>;
}

/** The cloud `npm start` runs, or one started for the demo (and stopped after it). */
async function localCloud(): Promise<Endpoints> {
  const apiUrl = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const health = await fetch(`${apiUrl}/_local/health`).catch(() => undefined);
  if (health?.ok === true) {
    const { edgeUrl } = (await health.json()) as { edgeUrl: string };
    console.log(`Using the local cloud at ${apiUrl}.`);
    return { apiUrl, edgeUrl, stop: async () => undefined };
  }
  console.log('No local cloud answers: starting one for the demo…');
  const { cloud }: { cloud: LocalCloud } = await startShopCloud();
  return { apiUrl: cloud.apiUrl, edgeUrl: cloud.edgeUrl, stop: () => cloud.stop() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      good: { type: 'boolean', default: false },
      bake: { type: 'string', default: '5' },
      'failure-rate': { type: 'string', default: '0.3' },
    },
  });
  const endpoints = await localCloud();
  const clients = shopClients(localClientConfig(endpoints.edgeUrl));
  try {
    const { Stacks = [] } = await clients.cloudFormation.send(new DescribeStacksCommand({}));
    const outputs = Object.fromEntries(
      Stacks.map((stack) => [
        stack.StackName ?? '',
        Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      ]),
    );
    const pool = shopUserPool(outputs);
    const tag = `canary-demo-${Date.now()}`;
    const [staff, customer] = await Promise.all([
      signUpAndSignIn(localClientConfig(endpoints.edgeUrl), pool, {
        email: `staff.${tag}@example.com`,
        staff: true,
      }),
      signUpAndSignIn(localClientConfig(endpoints.edgeUrl), pool, { email: `customer.${tag}@example.com` }),
    ]);
    const call = async (token: string, path: string, body: unknown, key = randomUUID()): Promise<Response> =>
      fetch(`${endpoints.apiUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: token, 'content-type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body),
      });
    const product = await call(staff.idToken, '/products', {
      name: `Canary demo ${tag}`,
      priceCents: 1_000,
      currency: 'USD',
      stock: 10,
    });
    if (product.status !== 201) throw new Error(`creating the demo's product: ${product.status}`);
    const { productId } = (await product.json()) as { productId: string };
    const order = { items: [{ productId, quantity: 1 }], payment: { method: 'card', token: 'tok_visa' } };
    const orderKey = randomUUID();
    const first = await call(customer.idToken, '/orders', order, orderKey);
    if (first.status !== 202) throw new Error(`placing the demo's order: ${first.status}`);

    console.log(
      values.good
        ? 'Deploying a sound create-order version…'
        : 'Deploying a create-order version built to fail…',
    );
    const { rollouts, deployment } = await deployHoldingCanaries(endpoints.apiUrl, clients, {
      'shop:release': tag,
      ...(values.good ? {} : { 'shop:injectedFailureRate': values['failure-rate'] }),
    });
    const rollout = rollouts[0];
    if (rollout === undefined) throw new Error('The deployment published no new create-order version.');
    const since = new Date();
    const started = await startRollout(
      clients.stepFunctions,
      deployment,
      rollout.canary,
      rollout.targetVersion,
      {
        bakeSeconds: Number(values.bake),
      },
    );
    console.log(
      `Rollout ${started.rolloutId}: version ${rollout.targetVersion} of ${rollout.canary.functionName}`,
    );

    // The customer's client retries the order all along: each retry runs create-order through live.
    let rolling = true;
    let errorsSeenByClients = 0;
    let firstErrorAtMs: number | undefined;
    const traffic = (async () => {
      while (rolling) {
        const statuses = await Promise.all(
          [0, 1].map(async () => {
            const response = await call(customer.idToken, '/orders', order, orderKey);
            await response.arrayBuffer();
            return response.status;
          }),
        );
        const errors = statuses.filter((status) => status >= 500).length;
        if (errors > 0) firstErrorAtMs ??= Date.now();
        errorsSeenByClients += errors;
      }
    })();
    const result = await followRollout(
      clients,
      rollout.canary,
      { ...started, targetVersion: rollout.targetVersion },
      {
        onProgress: (line) => console.log(`  ${line}`),
        approve: async (rolloutId) => {
          const response = await call(staff.idToken, `/deployments/${rolloutId}/approval`, {
            decision: 'approve',
          });
          return response.status === 200;
        },
      },
    );
    rolling = false;
    await traffic;
    const served = await versionInvocations(clients.cloudWatch, rollout.canary, rollout.targetVersion, since);
    const rolledBackAtMs = result.steps.at(-1)?.weight === 0 ? result.steps.at(-1)?.atMs : undefined;
    const summary = {
      outcome: result.output.outcome ?? result.status,
      steps: result.steps.map((step) => ({ weight: step.weight, atMs: step.atMs - since.getTime() })),
      timeToDetectMs:
        result.alarmAtMs === undefined || firstErrorAtMs === undefined
          ? null
          : result.alarmAtMs - firstErrorAtMs,
      timeToRollbackMs:
        result.alarmAtMs === undefined || rolledBackAtMs === undefined
          ? null
          : rolledBackAtMs - result.alarmAtMs,
      requestsServedByNewVersion: served.invocations,
      errorsSeenByClients,
    };
    console.log(JSON.stringify(summary));
  } finally {
    clients.destroy();
    await endpoints.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
