import {
  makeCheckTraffic,
  SMOKE_REQUEST,
  type TrafficHookStage,
} from '../../../functions/operations/application/check-traffic';
import type {
  DeploymentHooks,
  SmokeAnswer,
  SmokeInvoker,
} from '../../../functions/operations/ports/deployment-hooks';
import { makeHandler } from '../../../functions/operations/handlers/traffic-hook';
import { silentLogger } from '../../../shared/observability/app-logger';

const TARGET = { functionName: 'orders-get', aliasName: 'live', currentVersion: '4', targetVersion: '5' };

function harness(answer: SmokeAnswer | Error, stage: TrafficHookStage = 'before') {
  const reports: string[] = [];
  const invoked: string[] = [];
  const hooks: DeploymentHooks = {
    targetOf: async (deploymentId) => {
      if (deploymentId === 'd-unknown') throw new Error('no such deployment');
      return TARGET;
    },
    report: async (deploymentId, hookExecutionId, status) => {
      reports.push(`${deploymentId} ${hookExecutionId} ${status}`);
    },
  };
  const invoker: SmokeInvoker = {
    invoke: async (functionName, qualifier, event) => {
      invoked.push(`${functionName}:${qualifier} ${JSON.stringify(event) === JSON.stringify(SMOKE_REQUEST)}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { check: makeCheckTraffic({ hooks, invoker, stage, logger: silentLogger }), reports, invoked };
}

describe('a CodeDeploy traffic hook', () => {
  test.each([
    ['a 4xx answer (the smoke request is refused, as it should be)', { statusCode: 401 }, 'Succeeded'],
    ['an answer with no HTTP status', {}, 'Succeeded'],
    ['a 5xx answer', { statusCode: 502 }, 'Failed'],
    ['a function error', { functionError: 'Unhandled' }, 'Failed'],
  ] as const)('reports %s as %s', async (_case, answer, verdict) => {
    // Prepare
    const { check, reports } = harness(answer);

    // Act, Assess
    await expect(check('d-1', 'hook-1')).resolves.toBe(verdict);
    expect(reports).toEqual([`d-1 hook-1 ${verdict}`]);
  });

  test('before traffic smokes the new version itself; after traffic, the live alias', async () => {
    // Prepare
    const before = harness({ statusCode: 404 }, 'before');
    const after = harness({ statusCode: 404 }, 'after');

    // Act
    await before.check('d-1', 'hook-1');
    await after.check('d-1', 'hook-2');

    // Assess
    expect(before.invoked).toEqual(['orders-get:5 true']);
    expect(after.invoked).toEqual(['orders-get:live true']);
  });

  test('fails the deployment when it cannot tell: no target, or an invocation that throws', async () => {
    // Prepare
    const unknown = harness({ statusCode: 200 });
    const throwing = harness(new Error('TooManyRequestsException'));

    // Act, Assess
    await expect(unknown.check('d-unknown', 'hook-1')).resolves.toBe('Failed');
    await expect(throwing.check('d-2', 'hook-1')).resolves.toBe('Failed');
    expect([...unknown.reports, ...throwing.reports]).toEqual([
      'd-unknown hook-1 Failed',
      'd-2 hook-1 Failed',
    ]);
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
