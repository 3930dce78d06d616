import type { Execution } from '../../../src/stepfunctions/execution';
import { StepFunctionsEngine } from '../../../src/stepfunctions/step-functions-engine';
import { FakeLambda, HandlerError } from './fake-lambda';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/machine';

afterEach(() => jest.useRealTimers());

/** Runs a machine whose task fails `failures` times, on fake time; returns when each attempt started. */
async function attemptTimes(retrier: Record<string, unknown>, failures: number): Promise<number[]> {
  jest.useFakeTimers({ now: 0 });
  const started: number[] = [];
  const lambda = new FakeLambda({
    flaky: () => {
      started.push(Date.now());
      if (started.length <= failures) throw new HandlerError('Flaky', `attempt ${started.length} fails`);
      return 'ok';
    },
  });
  const engine = new StepFunctionsEngine({ lambda });
  try {
    const { arn } = engine.createStateMachine({
      name: 'retrying',
      type: 'STANDARD',
      roleArn: ROLE_ARN,
      definition: JSON.stringify({
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'flaky' },
            Retry: [{ ErrorEquals: ['Flaky'], ...retrier }],
            End: true,
          },
        },
      }),
    });
    const { executionArn } = await engine.startExecution(arn, { input: '{}' });
    const execution = engine.execution(executionArn) as Execution;
    for (let elapsed = 0; execution.status === 'RUNNING' && elapsed < 600_000; elapsed += 50) {
      await jest.advanceTimersByTimeAsync(50);
    }
    expect(execution.status).toBe('SUCCEEDED');
    return started;
  } finally {
    engine.close();
  }
}

const gapsOf = (times: readonly number[]): number[] =>
  times.slice(1).map((time, i) => time - (times[i] ?? 0));

describe('Retry delays', () => {
  test('IntervalSeconds grows by BackoffRate', async () => {
    const gaps = gapsOf(await attemptTimes({ IntervalSeconds: 1, BackoffRate: 3, MaxAttempts: 3 }, 3));
    expect(gaps.map((gap) => Math.round(gap / 1000))).toEqual([1, 3, 9]);
  });

  test('MaxDelaySeconds caps every wait', async () => {
    const gaps = gapsOf(
      await attemptTimes({ IntervalSeconds: 1, BackoffRate: 10, MaxAttempts: 3, MaxDelaySeconds: 2 }, 3),
    );
    expect(gaps.map((gap) => Math.round(gap / 1000))).toEqual([1, 2, 2]);
  });

  test('JitterStrategy FULL waits a random time up to the backoff, never more', async () => {
    const gaps = gapsOf(
      await attemptTimes({ IntervalSeconds: 4, BackoffRate: 2, MaxAttempts: 5, JitterStrategy: 'FULL' }, 5),
    );
    const ceilings = [4, 8, 16, 32, 64].map((seconds) => seconds * 1000 + 100);
    gaps.forEach((gap, i) => expect(gap).toBeLessThanOrEqual(ceilings[i] ?? 0));
    // Without jitter the waits would be exactly 4, 8, 16, 32 and 64 s.
    expect(gaps.some((gap, i) => Math.abs(gap - (ceilings[i] ?? 0) + 100) > 150)).toBe(true);
  });
});
