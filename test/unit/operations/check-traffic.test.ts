import {
  makeCheckTraffic,
  SMOKE_API_REQUEST,
  type TrafficHookStage,
} from '../../../functions/operations/application/check-traffic';
import type { SyntheticOrderCheck } from '../../../functions/operations/application/synthetic-order-check';
import { loadTrafficHookConfig } from '../../../functions/operations/config';
import type { SmokeRequest } from '../../../functions/operations/contracts/traffic-hook';
import type {
  DeploymentHooks,
  SmokeAnswer,
  SmokeInvocation,
  SmokeInvoker,
} from '../../../functions/operations/ports/deployment-hooks';
import { makeHandler } from '../../../functions/operations/handlers/traffic-hook';
import { silentLogger } from '../../../shared/observability/app-logger';

const TARGET = { functionName: 'orders-get', aliasName: 'live', currentVersion: '4', targetVersion: '5' };

function harness(
  answer: SmokeAnswer | Error,
  {
    stage = 'before',
    request = 'api-request',
    syntheticOrder,
  }: { stage?: TrafficHookStage; request?: SmokeRequest; syntheticOrder?: SyntheticOrderCheck } = {},
) {
  const reports: string[] = [];
  const invoked: { qualifier: string; invocation: SmokeInvocation }[] = [];
  const hooks: DeploymentHooks = {
    targetOf: async (deploymentId) => {
      if (deploymentId === 'd-unknown') throw new Error('no such deployment');
      if (deploymentId === 'd-undeclared') return { ...TARGET, functionName: 'orders-other' };
      return TARGET;
    },
    report: async (deploymentId, hookExecutionId, status) => {
      reports.push(`${deploymentId} ${hookExecutionId} ${status}`);
    },
  };
  const invoker: SmokeInvoker = {
    invoke: async (functionName, qualifier, invocation) => {
      expect(functionName).toBe(TARGET.functionName);
      invoked.push({ qualifier, invocation });
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const check = makeCheckTraffic({
    hooks,
    invoker,
    stage,
    smokeRequests: { [TARGET.functionName]: request },
    ...(syntheticOrder === undefined ? {} : { syntheticOrder }),
    logger: silentLogger,
  });
  return { check, reports, invoked };
}

describe('a CodeDeploy traffic hook', () => {
  test.each([
    [
      'api-request',
      'a 4xx answer (the smoke request is refused, as it should be)',
      'Succeeded',
      { statusCode: 401 },
    ],
    ['api-request', 'an answer with no HTTP status', 'Succeeded', {}],
    ['api-request', 'a 5xx answer', 'Failed', { statusCode: 502 }],
    ['api-request', 'a function error', 'Failed', { functionError: 'Unhandled' }],
    ['empty-batch', 'no failed item', 'Succeeded', { failedItems: 0 }],
    ['empty-batch', 'a failed item reported', 'Failed', { failedItems: 1 }],
    ['empty-batch', 'a function error', 'Failed', { functionError: 'Unhandled' }],
    ['startup-probe', 'ready', 'Succeeded', { ready: true }],
    ['startup-probe', "an answer that is not the probe's (the handler ran)", 'Failed', { statusCode: 200 }],
    ['startup-probe', 'a function error (it cannot start)', 'Failed', { functionError: 'Unhandled' }],
  ] as const)('%s: reports %s as %s', async (request, _case, verdict, answer) => {
    // Prepare
    const { check, reports } = harness(answer, { request });

    // Act, Assess
    await expect(check('d-1', 'hook-1')).resolves.toBe(verdict);
    expect(reports).toEqual([`d-1 hook-1 ${verdict}`]);
  });

  test('each request invokes with its own event: an API request, an empty batch, the start-up probe', async () => {
    // Prepare
    const harnesses = (['api-request', 'empty-batch', 'startup-probe'] as const).map((request) =>
      harness({ ready: true }, { request }),
    );

    // Act
    for (const { check } of harnesses) await check('d-1', 'hook-1');

    // Assess
    expect(harnesses.map(({ invoked }) => invoked[0]?.invocation)).toEqual([
      { event: SMOKE_API_REQUEST, startupProbe: false },
      { event: { Records: [] }, startupProbe: false },
      { event: {}, startupProbe: true },
    ]);
  });

  test('before traffic smokes the new version itself; after traffic, the live alias, which must run the new version', async () => {
    // Prepare
    const before = harness({ statusCode: 404 }, { stage: 'before' });
    const after = harness({ statusCode: 404, executedVersion: '5' }, { stage: 'after' });
    const afterOnOld = harness({ statusCode: 404, executedVersion: '4' }, { stage: 'after' });

    // Act
    const verdicts = [
      await before.check('d-1', 'hook-1'),
      await after.check('d-1', 'hook-2'),
      await afterOnOld.check('d-1', 'hook-3'),
    ];

    // Assess
    expect(verdicts).toEqual(['Succeeded', 'Succeeded', 'Failed']);
    expect([before, after].map(({ invoked }) => invoked.map((call) => call.qualifier))).toEqual([
      ['5'],
      ['live'],
    ]);
  });

  test('fails the deployment when it cannot tell: no target, no smoke request declared, an invocation that throws', async () => {
    // Prepare
    const unknown = harness({ statusCode: 200 });
    const undeclared = harness({ statusCode: 200 });
    const throwing = harness(new Error('TooManyRequestsException'));

    // Act, Assess
    await expect(unknown.check('d-unknown', 'hook-1')).resolves.toBe('Failed');
    await expect(undeclared.check('d-undeclared', 'hook-1')).resolves.toBe('Failed');
    await expect(throwing.check('d-2', 'hook-1')).resolves.toBe('Failed');
    expect([...unknown.reports, ...undeclared.reports, ...throwing.reports]).toEqual([
      'd-unknown hook-1 Failed',
      'd-undeclared hook-1 Failed',
      'd-2 hook-1 Failed',
    ]);
    expect(undeclared.invoked).toEqual([]);
  });

  test('on the order path, after traffic, the synthetic order must reach the read model too', async () => {
    // Prepare
    const checks: string[] = [];
    const synthetic =
      (passed: boolean): SyntheticOrderCheck =>
      async () => {
        checks.push(`synthetic ${passed}`);
        return { passed, orderId: 'ord_1', elapsedMs: 10 };
      };
    const onTarget = { statusCode: 404, executedVersion: '5' };

    // Act
    const verdicts = [
      await harness(onTarget, { stage: 'after', syntheticOrder: synthetic(true) }).check('d-1', 'h-1'),
      await harness(onTarget, { stage: 'after', syntheticOrder: synthetic(false) }).check('d-1', 'h-2'),
      // Not before traffic, and not when the smoke request already failed.
      await harness(onTarget, { stage: 'before', syntheticOrder: synthetic(true) }).check('d-1', 'h-3'),
      await harness(
        { statusCode: 502, executedVersion: '5' },
        { stage: 'after', syntheticOrder: synthetic(true) },
      ).check('d-1', 'h-4'),
    ];

    // Assess
    expect(verdicts).toEqual(['Succeeded', 'Failed', 'Succeeded', 'Failed']);
    expect(checks).toEqual(['synthetic true', 'synthetic false']);
  });

  test("the handler reads CodeDeploy's event, and refuses anything else", async () => {
    // Prepare
    const { check } = harness({ statusCode: 400 });
    const handler = makeHandler({ checkTraffic: check, logger: silentLogger });

    // Act, Assess
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h-1' })).resolves.toEqual({
      verdict: 'Succeeded',
    });
    await expect(handler({ DeploymentId: 'd-1' })).rejects.toThrow();
  });
});

describe("a traffic hook's configuration", () => {
  test("reads its stage and each function's smoke request", () => {
    // Act
    const config = loadTrafficHookConfig({
      TRAFFIC_HOOK_STAGE: 'after',
      TRAFFIC_HOOK_SMOKE_REQUESTS: JSON.stringify([
        ['orders-get', 'api-request'],
        ['orders-relay', 'empty-batch'],
      ]),
    });

    // Assess
    expect(config).toEqual({
      stage: 'after',
      smokeRequests: { 'orders-get': 'api-request', 'orders-relay': 'empty-batch' },
    });
  });

  test("reads the synthetic customer's parameter and deadline, when the hook has them", () => {
    // Act
    const config = loadTrafficHookConfig({
      TRAFFIC_HOOK_STAGE: 'after',
      TRAFFIC_HOOK_SMOKE_REQUESTS: '[]',
      SYNTHETIC_CHECK_PARAMETER: '/shop/synthetic-check',
      SYNTHETIC_CHECK_TIMEOUT_MS: '20000',
    });

    // Assess
    expect(config.syntheticOrder).toEqual({ parameterName: '/shop/synthetic-check', timeoutMs: 20_000 });
  });

  test.each([
    ['not JSON', '[', /TRAFFIC_HOOK_SMOKE_REQUESTS is not JSON/],
    ['an unknown request', JSON.stringify([['orders-get', 'ping']]), /TRAFFIC_HOOK_SMOKE_REQUESTS\.0\.1/],
    ['unset', undefined, /TRAFFIC_HOOK_SMOKE_REQUESTS is not set/],
  ])('fails at start-up naming the problem: %s', (_case, value, message) => {
    // Act
    const load = () =>
      loadTrafficHookConfig({
        TRAFFIC_HOOK_STAGE: 'before',
        ...(value === undefined ? {} : { TRAFFIC_HOOK_SMOKE_REQUESTS: value }),
      });

    // Assess
    expect(load).toThrow(message);
  });
});
