import { AwsServiceError } from '../../../src/aws-protocol';
import { TaskTokenRegistry, type TaskOutcome } from '../../../src/stepfunctions/task-token-registry';

const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:orders:e1';

function errorCodeOf(act: () => void): string | undefined {
  try {
    act();
  } catch (error) {
    if (error instanceof AwsServiceError) return error.code;
    throw error;
  }
  return undefined;
}

/** Records what `track` resolves with, so a test can look without awaiting. */
function settled(promise: Promise<TaskOutcome>): { outcome?: TaskOutcome } {
  const box: { outcome?: TaskOutcome } = {};
  void promise.then((outcome) => (box.outcome = outcome));
  return box;
}

describe('TaskTokenRegistry', () => {
  afterEach(() => jest.useRealTimers());

  it('completes a waiting task with the parsed output of SendTaskSuccess', async () => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const token = registry.issue(EXECUTION);
    const outcome = registry.track(token);

    // Act
    registry.sendTaskSuccess(token, '{"approved":true}');

    // Assess
    await expect(outcome).resolves.toEqual({ kind: 'success', output: { approved: true } });
  });

  it('keeps an outcome that arrives before the task waits, and closes the token to further calls', async () => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const token = registry.issue(EXECUTION);

    // Act
    registry.sendTaskFailure(token, 'PaymentDeclined', 'card expired');

    // Assess
    expect(errorCodeOf(() => registry.sendTaskSuccess(token, '{}'))).toBe('TaskTimedOut');
    await expect(registry.track(token)).resolves.toEqual({
      kind: 'failure',
      error: 'PaymentDeclined',
      cause: 'card expired',
    });
  });

  it('answers as AWS does for malformed, unknown, closed tokens and invalid output', () => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const closed = registry.issue(EXECUTION);
    registry.close(closed);
    const open = registry.issue(EXECUTION);
    const unknown = `AQ${Buffer.from(JSON.stringify({ e: EXECUTION, t: 'nope' })).toString('base64url')}`;

    // Act & Assess
    expect(errorCodeOf(() => registry.sendTaskSuccess('not-a-token', '{}'))).toBe('InvalidToken');
    expect(errorCodeOf(() => registry.sendTaskHeartbeat(unknown))).toBe('TaskDoesNotExist');
    expect(errorCodeOf(() => registry.sendTaskFailure(closed, 'E', 'C'))).toBe('TaskTimedOut');
    expect(errorCodeOf(() => registry.sendTaskSuccess(open, '{not json'))).toBe('InvalidOutput');
    expect(errorCodeOf(() => registry.sendTaskHeartbeat(open))).toBeUndefined();
  });

  it('times a task out when no heartbeat comes within HeartbeatSeconds, and heartbeats keep it alive', async () => {
    // Prepare
    jest.useFakeTimers();
    const registry = new TaskTokenRegistry();
    const token = registry.issue(EXECUTION);
    const box = settled(registry.track(token, 2));

    // Act: two heartbeats, 1.5 s apart, then silence.
    await jest.advanceTimersByTimeAsync(1500);
    registry.sendTaskHeartbeat(token);
    await jest.advanceTimersByTimeAsync(1500);
    registry.sendTaskHeartbeat(token);
    await jest.advanceTimersByTimeAsync(1900);
    const beforeTimeout = box.outcome;
    await jest.advanceTimersByTimeAsync(200);

    // Assess
    expect(beforeTimeout).toBeUndefined();
    expect(box.outcome).toEqual({ kind: 'heartbeat-timeout' });
    expect(errorCodeOf(() => registry.sendTaskHeartbeat(token))).toBe('TaskTimedOut');
  });

  it('closes every token of an execution when it ends', () => {
    // Prepare
    const registry = new TaskTokenRegistry();
    const first = registry.issue(EXECUTION);
    const other = registry.issue(`${EXECUTION}-other`);

    // Act
    registry.closeExecution(EXECUTION);

    // Assess
    expect(errorCodeOf(() => registry.sendTaskSuccess(first, '{}'))).toBe('TaskTimedOut');
    expect(errorCodeOf(() => registry.sendTaskSuccess(other, '{}'))).toBeUndefined();
  });
});
