import { mockClient } from 'aws-sdk-client-mock';
import {
  GetAliasCommand,
  LambdaClient,
  PreconditionFailedException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { LambdaFunctionAliases } from '../../../functions/operations/adapters/lambda-function-aliases';
import { CloudWatchAlarmStates } from '../../../functions/operations/adapters/cloudwatch-alarm-states';
import { makeRolloutSteps } from '../../../functions/operations/application/rollout-steps';
import { makeDecideRolloutApproval } from '../../../functions/operations/application/decide-rollout-approval';
import { makeHandler as makeApprovalHandler } from '../../../functions/operations/handlers/decide-rollout-approval';
import { makeHandler as makeStepHandler } from '../../../functions/operations/handlers/rollout-step';
import {
  only,
  splitRouting,
  type AliasRouting,
  type AlarmState,
} from '../../../functions/operations/domain/rollout';
import type {
  AliasReading,
  AliasWriteOutcome,
  FunctionAliases,
} from '../../../functions/operations/ports/function-aliases';
import type {
  ApprovalResolution,
  RolloutRecord,
  RolloutRecords,
} from '../../../functions/operations/ports/rollout-records';
import type { TaskCallbackOutcome, TaskCallbacks } from '../../../shared/saga/task-callbacks';
import { silentLogger, type KeyedLogger } from '../../../shared/observability/app-logger';
import { proxyEvent, TEST_CUSTOMER, TEST_STAFF, requestContextOf } from '../http/proxy-event';

// ---- Fakes of the ports ---------------------------------------------------------------------------
class FakeAliases implements FunctionAliases {
  revision = 1;
  writes: AliasRouting[] = [];
  /** Called before each write: a concurrent change, made by someone else. */
  beforeWrite?: () => void;
  constructor(public routing: AliasRouting) {}
  async read(): Promise<AliasReading> {
    return { routing: this.routing, revisionId: String(this.revision) };
  }
  async write(_f: string, _a: string, routing: AliasRouting, revisionId: string): Promise<AliasWriteOutcome> {
    this.beforeWrite?.();
    if (revisionId !== String(this.revision)) return 'revision-changed';
    this.routing = routing;
    this.revision += 1;
    this.writes.push(routing);
    return 'written';
  }
  changeBySomeoneElse(routing: AliasRouting): void {
    this.routing = routing;
    this.revision += 1;
  }
}

class FakeRecords implements RolloutRecords {
  readonly items = new Map<string, RolloutRecord>();
  async create(record: Omit<RolloutRecord, 'approval'>): Promise<void> {
    this.items.set(record.rolloutId, record);
  }
  async get(rolloutId: string): Promise<RolloutRecord | undefined> {
    return this.items.get(rolloutId);
  }
  async awaitApproval(rolloutId: string, taskToken: string, requestedAt: string): Promise<void> {
    const record = this.items.get(rolloutId);
    if (record !== undefined) this.items.set(rolloutId, { ...record, approval: { taskToken, requestedAt } });
  }
  async markResolved(
    rolloutId: string,
    taskToken: string,
    resolution: ApprovalResolution,
    at: string,
  ): Promise<void> {
    const record = this.items.get(rolloutId);
    if (record?.approval?.taskToken !== taskToken) return;
    this.items.set(rolloutId, { ...record, approval: { ...record.approval, resolution, resolvedAt: at } });
  }
}

class FakeCallbacks implements TaskCallbacks {
  answers: { token: string; kind: 'succeed' | 'fail'; error?: string }[] = [];
  closed = false;
  async succeed(token: string): Promise<TaskCallbackOutcome> {
    if (this.closed) return 'task-closed';
    this.answers.push({ token, kind: 'succeed' });
    return 'delivered';
  }
  async fail(token: string, error: string): Promise<TaskCallbackOutcome> {
    if (this.closed) return 'task-closed';
    this.answers.push({ token, kind: 'fail', error });
    return 'delivered';
  }
}

const GUARD = 'shop-orders-guard';
const request = { functionName: 'ShopOrders-Fn', aliasName: 'live', targetVersion: '8', alarmNames: [GUARD] };
const NOW = new Date('2026-11-26T12:00:00.000Z');

function fixture(alarm: AlarmState = 'OK') {
  const aliases = new FakeAliases(only('7'));
  const records = new FakeRecords();
  const alarmStates = { [GUARD]: alarm };
  const steps = makeRolloutSteps({
    aliases,
    alarms: { statesOf: async () => alarmStates },
    records,
    now: () => NOW,
  });
  return { aliases, records, alarmStates, steps };
}

// ---- The steps ------------------------------------------------------------------------------------
describe('rollout steps', () => {
  test('a whole rollout through the steps: every weight written under its revision, then promoted', async () => {
    const { aliases, records, steps } = fixture();
    let state = await steps.start('r-1', request, { bakeSeconds: 60 });
    expect(records.items.get('r-1')).toMatchObject({
      originalVersion: '7',
      targetVersion: '8',
      startedAt: NOW.toISOString(),
    });
    for (;;) {
      const { decision, revisionId } = await steps.evaluate(state);
      if (decision.action === 'succeeded') break;
      if (decision.action === 'await-approval') {
        await steps.requestApproval(state, 'token-1');
        state = { ...state, approved: true };
        continue;
      }
      if (decision.action !== 'shift' && decision.action !== 'promote') throw new Error(decision.action);
      state = await steps.shift(state, decision, revisionId);
    }
    expect(aliases.writes).toEqual([1, 5, 10, 50].map((w) => splitRouting('7', '8', w)).concat([only('8')]));
    expect(records.items.get('r-1')?.approval?.taskToken).toBe('token-1');
  });

  test('start refuses an invalid request with InvalidRollout and records nothing', async () => {
    const { records, steps } = fixture();
    await expect(
      steps.start('r-1', { ...request, targetVersion: '7' }, { bakeSeconds: 60 }),
    ).rejects.toMatchObject({
      name: 'InvalidRollout',
    });
    expect(records.items.size).toBe(0);
  });

  test('a shift whose revision changed, to something else: AliasDrifted; to what it meant to write: done', async () => {
    const { aliases, steps } = fixture();
    const state = await steps.start('r-1', request, { bakeSeconds: 60 });
    const { decision, revisionId } = await steps.evaluate(state);
    if (decision.action !== 'shift') throw new Error(decision.action);
    aliases.changeBySomeoneElse(only('9'));
    await expect(steps.shift(state, decision, revisionId)).rejects.toMatchObject({ name: 'AliasDrifted' });
    // A retried write whose first answer was lost finds the alias as it meant to write it.
    aliases.changeBySomeoneElse(decision.routing);
    await expect(steps.shift(state, decision, revisionId)).resolves.toMatchObject({ step: 1, weight: 1 });
  });

  test('roll-back: the original version alone; again (retried): still rolled back; drifted: untouched', async () => {
    const { aliases, steps } = fixture();
    const state = {
      ...(await steps.start('r-1', request, { bakeSeconds: 60 })),
      step: 2,
      weight: 5,
      expected: splitRouting('7', '8', 5),
    };
    aliases.changeBySomeoneElse(splitRouting('7', '8', 5));
    const reason = { code: 'ALARM' as const, detail: `${GUARD} is in ALARM` };
    await expect(steps.rollBack(state, reason)).resolves.toMatchObject({
      outcome: 'ROLLED_BACK',
      observed: only('7'),
    });
    await expect(steps.rollBack(state, reason)).resolves.toMatchObject({ outcome: 'ROLLED_BACK' });
    aliases.changeBySomeoneElse(only('9'));
    const writes = aliases.writes.length;
    await expect(steps.rollBack(state, reason)).resolves.toMatchObject({
      outcome: 'DRIFTED',
      observed: only('9'),
    });
    expect(aliases.writes).toHaveLength(writes);
  });

  test('roll-back racing a concurrent writer reads again and judges again', async () => {
    const { aliases, steps } = fixture();
    const state = {
      ...(await steps.start('r-1', request, { bakeSeconds: 60 })),
      step: 1,
      weight: 1,
      expected: splitRouting('7', '8', 1),
    };
    aliases.changeBySomeoneElse(splitRouting('7', '8', 1));
    aliases.beforeWrite = () => {
      aliases.beforeWrite = undefined;
      aliases.changeBySomeoneElse(only('10'));
    };
    await expect(steps.rollBack(state, { code: 'STEP_FAILED', detail: 'x' })).resolves.toMatchObject({
      outcome: 'DRIFTED',
    });
  });
});

// ---- The step handler -----------------------------------------------------------------------------
describe('rollout-step handler', () => {
  test('dispatches on step; an input that breaks the contract is InvalidSagaInput', async () => {
    const { steps } = fixture();
    const quietLogger = {
      ...silentLogger,
      appendKeys: () => undefined,
      removeKeys: () => undefined,
      resetKeys: () => undefined,
    } as unknown as KeyedLogger;
    const handler = makeStepHandler({ steps, logger: quietLogger });
    const state = await handler({ step: 'start', rolloutId: 'r-1', request, defaults: { bakeSeconds: 60 } });
    expect(state).toMatchObject({ rolloutId: 'r-1', step: 0 });
    await expect(handler({ step: 'evaluate', rollout: state })).resolves.toMatchObject({
      decision: { action: 'shift', weight: 1 },
      revisionId: '1',
    });
    await expect(handler({ step: 'jump' })).rejects.toMatchObject({ name: 'InvalidSagaInput' });
  });
});

// ---- The approval route ---------------------------------------------------------------------------
describe('POST /deployments/{rolloutId}/approval', () => {
  async function setup(options: { approval?: boolean } = {}) {
    const { records, steps } = fixture();
    const state = await steps.start('r-1', request, { bakeSeconds: 60 });
    if (options.approval ?? true) await steps.requestApproval(state, 'token-1');
    const callbacks = new FakeCallbacks();
    const handler = makeApprovalHandler({
      decideApproval: makeDecideRolloutApproval({ records, taskCallbacks: callbacks, now: () => NOW }),
    });
    const post = (rolloutId: string, body: unknown, caller = TEST_STAFF) =>
      handler(
        proxyEvent({
          resource: '/deployments/{rolloutId}/approval',
          path: `/deployments/${rolloutId}/approval`,
          pathParameters: { rolloutId },
          body: JSON.stringify(body),
          requestContext: requestContextOf(caller),
        }),
      );
    return { records, callbacks, post };
  }
  const bodyOf = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

  test('approve resumes the rollout (SendTaskSuccess) and marks the wait answered; again is harmless', async () => {
    const { records, callbacks, post } = await setup();
    const response = await post('r-1', { decision: 'approve' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ rolloutId: 'r-1', decision: 'approve' });
    expect(callbacks.answers).toEqual([{ token: 'token-1', kind: 'succeed' }]);
    expect(records.items.get('r-1')?.approval?.resolution).toBe('APPROVED');
    expect((await post('r-1', { decision: 'approve' })).statusCode).toBe(200);
    expect(callbacks.answers).toHaveLength(1);
    const other = await post('r-1', { decision: 'abort' });
    expect(other.statusCode).toBe(409);
  });

  test('abort fails the wait with RolloutAborted (the rollout rolls back)', async () => {
    const { callbacks, post } = await setup();
    expect((await post('r-1', { decision: 'abort', comment: 'error budget' })).statusCode).toBe(200);
    expect(callbacks.answers).toEqual([{ token: 'token-1', kind: 'fail', error: 'RolloutAborted' }]);
  });

  test('staff only: a customer gets 403 FORBIDDEN before anything is read', async () => {
    const { callbacks, post } = await setup();
    const response = await post('r-1', { decision: 'approve' }, TEST_CUSTOMER);
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'FORBIDDEN' }, requestId: 'req-1' });
    expect(callbacks.answers).toEqual([]);
  });

  test('404 for an unknown rollout; 409 when not waiting, or past the deadline; 400 for a bad body', async () => {
    const { callbacks, post } = await setup({ approval: false });
    expect(bodyOf(await post('r-2', { decision: 'approve' }))).toMatchObject({
      error: { code: 'ROLLOUT_NOT_FOUND' },
    });
    const notWaiting = await post('r-1', { decision: 'approve' });
    expect(notWaiting.statusCode).toBe(409);
    expect(bodyOf(notWaiting)).toMatchObject({ error: { code: 'ROLLOUT_NOT_AWAITING_APPROVAL' } });
    expect((await post('r-1', { decision: 'maybe' })).statusCode).toBe(400);
    expect((await post('r 1', { decision: 'approve' })).statusCode).toBe(400);

    const late = await setup();
    late.callbacks.closed = true;
    expect((await late.post('r-1', { decision: 'approve' })).statusCode).toBe(409);
    expect(callbacks.answers).toEqual([]);
  });
});

// ---- Adapters: what no local engine produces --------------------------------------------------------
describe('LambdaFunctionAliases', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());

  test('reads weights as percent and writes them as fractions, with the revision read', async () => {
    lambda.on(GetAliasCommand).resolves({
      FunctionVersion: '7',
      RevisionId: 'rev-1',
      RoutingConfig: { AdditionalVersionWeights: { '8': 0.05 } },
    });
    lambda.on(UpdateAliasCommand).resolves({});
    const aliases = new LambdaFunctionAliases({ client: new LambdaClient({ region: 'eu-west-1' }) });
    await expect(aliases.read('fn', 'live')).resolves.toEqual({
      routing: splitRouting('7', '8', 5),
      revisionId: 'rev-1',
    });
    await expect(aliases.write('fn', 'live', only('8'), 'rev-1')).resolves.toBe('written');
    expect(lambda.commandCalls(UpdateAliasCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'fn',
      Name: 'live',
      FunctionVersion: '8',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'rev-1',
    });
  });

  test('UpdateAlias refused on a RevisionId mismatch is revision-changed, not an error', async () => {
    lambda
      .on(UpdateAliasCommand)
      .rejects(
        new PreconditionFailedException({ message: 'The RevisionId provided does not match', $metadata: {} }),
      );
    const aliases = new LambdaFunctionAliases({ client: new LambdaClient({ region: 'eu-west-1' }) });
    await expect(aliases.write('fn', 'live', splitRouting('7', '8', 1), 'stale')).resolves.toBe(
      'revision-changed',
    );
  });
});

describe('CloudWatchAlarmStates', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  afterEach(() => cloudWatch.reset());

  test('metric and composite alarms by name; a name CloudWatch lacks is MISSING', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      CompositeAlarms: [{ AlarmName: GUARD, StateValue: 'OK' }],
      MetricAlarms: [{ AlarmName: 'v8-errors', StateValue: 'INSUFFICIENT_DATA' }],
    });
    const alarms = new CloudWatchAlarmStates({ client: new CloudWatchClient({ region: 'eu-west-1' }) });
    await expect(alarms.statesOf([GUARD, 'v8-errors', 'gone'])).resolves.toEqual({
      [GUARD]: 'OK',
      'v8-errors': 'INSUFFICIENT_DATA',
      gone: 'MISSING',
    });
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmTypes).toEqual([
      'CompositeAlarm',
      'MetricAlarm',
    ]);
  });
});
