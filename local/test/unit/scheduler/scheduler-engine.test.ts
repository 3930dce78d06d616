/**
 * The local EventBridge Scheduler through the AWS SDK's own Scheduler client, over HTTP, on a schedule
 * clock the tests move; targets are recorded by a fake invoker that can be told to fail.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { serveScheduler } from '../../../src/scheduler/scheduler-api';
import { ScheduleClock } from '../../../src/scheduler/schedule-clock';
import {
  SchedulerEngine,
  type ScheduleInvocation,
  type ScheduleTarget,
  type ScheduleTargetInvoker,
} from '../../../src/scheduler/scheduler-engine';
import { localClientConfig } from '../../../src/testing/client-config';

class RecordingTargets implements ScheduleTargetInvoker {
  readonly invocations: { target: string; input: string; invocation: ScheduleInvocation }[] = [];
  readonly deadLetters: { arn: string; body: string; attributes: Readonly<Record<string, string>> }[] = [];
  failing = false;

  async invoke(target: ScheduleTarget, input: string, invocation: ScheduleInvocation): Promise<void> {
    this.invocations.push({ target: target.arn, input, invocation });
    if (this.failing) throw new Error('the target is down');
  }

  deadLetter(arn: string, body: string, attributes: Readonly<Record<string, string>>): void {
    this.deadLetters.push({ arn, body, attributes });
  }
}

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:ticks';
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';
const START = Date.parse('2026-12-06T10:00:00Z');

let server: RunningServer;
let scheduler: SchedulerClient;
let engine: SchedulerEngine;
let clock: ScheduleClock;
let targets: RecordingTargets;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveScheduler(engine, req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  scheduler = new SchedulerClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  jest.useFakeTimers({ now: START, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  clock = new ScheduleClock();
  targets = new RecordingTargets();
  engine = new SchedulerEngine({ invoker: targets, clock, retryBaseDelayMs: 10 });
});

afterEach(() => {
  engine.close();
  jest.useRealTimers();
});

afterAll(async () => {
  scheduler?.destroy();
  await server?.close();
});

const schedule = (overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: 'hourly',
  ScheduleExpression: 'rate(1 hour)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: QUEUE, RoleArn: ROLE, Input: '{"at":"<aws.scheduler.scheduled-time>"}' },
  ...overrides,
});

async function refusal(call: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const { name, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name, status: $metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

/** Moves the schedule clock, then lets the deferred invocations run. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms);
  await jest.advanceTimersByTimeAsync(0);
}

test('a rate schedule invokes its target every period, its input filled with the context attributes', async () => {
  // Prepare
  const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand(schedule()));

  // Act
  await advance(59 * 60_000);
  const early = targets.invocations.length;
  await advance(2 * 3_600_000);

  // Assess
  expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/default/hourly');
  expect(early).toBe(0);
  expect(targets.invocations.map(({ input }) => input)).toEqual([
    '{"at":"2026-12-06T11:00:00Z"}',
    '{"at":"2026-12-06T12:00:00Z"}',
  ]);
});

test('a one-time schedule fires once at its time in its time zone, and ActionAfterCompletion DELETE removes it', async () => {
  // Prepare
  await scheduler.send(
    new CreateScheduleCommand(
      schedule({
        Name: 'deadline',
        ScheduleExpression: 'at(2026-12-06T12:30:00)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        ActionAfterCompletion: 'DELETE',
      }),
    ),
  );

  // Act
  await advance(3 * 3_600_000);
  const gone = await refusal(scheduler.send(new GetScheduleCommand({ Name: 'deadline' })));

  // Assess
  expect(targets.invocations.map(({ invocation }) => invocation.scheduledTime)).toEqual([
    '2026-12-06T11:30:00Z',
  ]);
  expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
});

test('a schedule runs only between its start and end dates, and not while disabled', async () => {
  // Prepare
  await scheduler.send(
    new CreateScheduleCommand(
      schedule({
        Name: 'windowed',
        ScheduleExpression: 'cron(0 * * * ? *)',
        StartDate: new Date('2026-12-06T12:00:00Z'),
        EndDate: new Date('2026-12-06T14:30:00Z'),
      }),
    ),
  );
  await scheduler.send(new CreateScheduleCommand(schedule({ Name: 'off', State: 'DISABLED' })));

  // Act
  await advance(6 * 3_600_000);

  // Assess
  expect(targets.invocations.map(({ invocation }) => invocation.scheduledTime)).toEqual([
    '2026-12-06T12:00:00Z',
    '2026-12-06T13:00:00Z',
    '2026-12-06T14:00:00Z',
  ]);
});

test('a failing target is retried, then dead-lettered with the attributes Scheduler sets', async () => {
  // Prepare
  targets.failing = true;
  await scheduler.send(
    new CreateScheduleCommand(
      schedule({
        Target: {
          Arn: QUEUE,
          RoleArn: ROLE,
          Input: '{}',
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:schedule-dlq' },
        },
      }),
    ),
  );

  // Act
  await advance(3_600_000);
  // The retries' backoff (10 ms, then 20 ms) passes.
  await jest.advanceTimersByTimeAsync(1_000);

  // Assess
  expect(targets.invocations.map(({ invocation }) => invocation.attemptNumber)).toEqual([1, 2, 3]);
  expect(targets.deadLetters).toHaveLength(1);
  expect(targets.deadLetters[0]).toMatchObject({
    arn: 'arn:aws:sqs:us-east-1:000000000000:schedule-dlq',
    body: '{}',
    attributes: {
      ERROR_MESSAGE: 'the target is down',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
      SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/hourly',
      TARGET_ARN: QUEUE,
    },
  });
});

test('schedules are read, updated, listed and deleted; groups hold them and take them when deleted', async () => {
  // Prepare
  await scheduler.send(new CreateScheduleGroupCommand({ Name: 'orders' }));
  await scheduler.send(new CreateScheduleCommand(schedule({ GroupName: 'orders', Name: 'watchdog-1' })));
  await scheduler.send(new CreateScheduleCommand(schedule({ GroupName: 'orders', Name: 'watchdog-2' })));
  await scheduler.send(new CreateScheduleCommand(schedule()));

  // Act
  await scheduler.send(
    new UpdateScheduleCommand({
      ...schedule({ GroupName: 'orders', Name: 'watchdog-1' }),
      State: 'DISABLED',
    }),
  );
  const read = await scheduler.send(new GetScheduleCommand({ GroupName: 'orders', Name: 'watchdog-1' }));
  const inGroup = await scheduler.send(new ListSchedulesCommand({ GroupName: 'orders' }));
  const firstPage = await scheduler.send(new ListSchedulesCommand({ MaxResults: 2 }));
  const group = await scheduler.send(new GetScheduleGroupCommand({ Name: 'orders' }));
  await scheduler.send(new DeleteScheduleCommand({ Name: 'hourly' }));
  await scheduler.send(new DeleteScheduleGroupCommand({ Name: 'orders' }));
  const left = await scheduler.send(new ListSchedulesCommand({}));
  const groups = await scheduler.send(new ListScheduleGroupsCommand({}));

  // Assess
  expect(read).toMatchObject({
    Name: 'watchdog-1',
    GroupName: 'orders',
    State: 'DISABLED',
    ScheduleExpression: 'rate(1 hour)',
    Target: { Arn: QUEUE, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } },
  });
  expect(read.CreationDate).toEqual(new Date(START));
  expect(inGroup.Schedules?.map((entry) => [entry.Name, entry.State])).toEqual([
    ['watchdog-1', 'DISABLED'],
    ['watchdog-2', 'ENABLED'],
  ]);
  expect(firstPage.Schedules).toHaveLength(2);
  expect(firstPage.NextToken).toBeDefined();
  expect(group).toMatchObject({ Name: 'orders', State: 'ACTIVE' });
  expect(left.Schedules).toEqual([]);
  expect(groups.ScheduleGroups?.map((entry) => entry.Name)).toEqual(['default']);
});

test.each([
  ['a schedule that exists', 'ConflictException', 409, schedule()],
  ['an unknown group', 'ResourceNotFoundException', 404, schedule({ Name: 'x', GroupName: 'nope' })],
  [
    'a malformed expression',
    'ValidationException',
    400,
    schedule({ Name: 'x', ScheduleExpression: 'rate(1 hours)' }),
  ],
  [
    'an unknown time zone',
    'ValidationException',
    400,
    schedule({ Name: 'x', ScheduleExpressionTimezone: 'Mars/Base' }),
  ],
  ['a name with a space', 'ValidationException', 400, schedule({ Name: 'a b' })],
  [
    'a flexible window without its length',
    'ValidationException',
    400,
    schedule({ Name: 'x', FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }),
  ],
  [
    'a universal target (not emulated)',
    'ValidationException',
    400,
    schedule({ Name: 'x', Target: { Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', RoleArn: ROLE } }),
  ],
  [
    'a retry policy out of range',
    'ValidationException',
    400,
    schedule({
      Name: 'x',
      Target: { Arn: QUEUE, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } },
    }),
  ],
  [
    'an end date before the start date',
    'ValidationException',
    400,
    schedule({
      Name: 'x',
      StartDate: new Date('2027-01-02T00:00:00Z'),
      EndDate: new Date('2027-01-01T00:00:00Z'),
    }),
  ],
] as const)('%s is refused with %s', async (_case, code, status, input) => {
  // Prepare
  await scheduler.send(new CreateScheduleCommand(schedule()));

  // Act
  const refused = await refusal(scheduler.send(new CreateScheduleCommand(input)));

  // Assess
  expect(refused).toEqual({ name: code, status });
});

test('the default group cannot be deleted, nor a group created twice', async () => {
  // Prepare
  await scheduler.send(new CreateScheduleGroupCommand({ Name: 'orders' }));

  // Act
  const defaultGroup = await refusal(scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' })));
  const twice = await refusal(scheduler.send(new CreateScheduleGroupCommand({ Name: 'orders' })));

  // Assess
  expect(defaultGroup.name).toBe('ValidationException');
  expect(twice).toEqual({ name: 'ConflictException', status: 409 });
});
