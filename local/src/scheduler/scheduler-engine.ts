/**
 * Amazon EventBridge Scheduler: schedule groups and schedules (`at`, `rate`, `cron` in a time zone,
 * start and end dates, enabled or disabled, `ActionAfterCompletion`), each invoking its target — a
 * Lambda function, an SQS queue, a state machine or an event bus — with the target's retry policy and
 * dead-letter queue. Spoken over AWS's REST-JSON protocol (`/schedules/{Name}`, `/schedule-groups/…`),
 * so `@aws-sdk/client-scheduler` and the CLI work unchanged; it runs on the schedule clock.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, localArn } from '../aws-protocol';
import { offsetPage } from '../http/offset-pages';
import { fireDueOccurrences, ScheduleTicker } from './due-occurrences';
import type { ScheduleClock } from './schedule-clock';
import { nextOccurrence, parseScheduleExpression, type ParsedSchedule } from './schedule-expression';

export type ScheduleState = 'ENABLED' | 'DISABLED';

export interface ScheduleTarget {
  readonly arn: string;
  readonly roleArn: string;
  readonly input?: string;
  readonly retryPolicy: { readonly maximumRetryAttempts: number; readonly maximumEventAgeInSeconds: number };
  readonly deadLetterArn?: string;
  readonly sqsMessageGroupId?: string;
  readonly eventBridge?: { readonly detailType: string; readonly source: string };
}

/** What one invocation of a target carries. */
export interface ScheduleInvocation {
  readonly scheduleArn: string;
  readonly scheduledTime: string;
  readonly executionId: string;
  readonly attemptNumber: number;
}

/** Where targets are invoked: the local engines. A rejection is a failed attempt. */
export interface ScheduleTargetInvoker {
  invoke(target: ScheduleTarget, input: string, invocation: ScheduleInvocation): Promise<void>;
  /** Sends what could not be delivered to the dead-letter queue, with Scheduler's attributes. */
  deadLetter(deadLetterArn: string, body: string, attributes: Readonly<Record<string, string>>): void;
}

export interface SchedulerEngineOptions {
  readonly invoker: ScheduleTargetInvoker;
  readonly clock: ScheduleClock;
  /** First retry delay; doubles per attempt, up to a minute. AWS's real backoff is slower. */
  readonly retryBaseDelayMs?: number;
  readonly log?: (line: string) => void;
}

interface Schedule {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string;
  readonly expression: string;
  readonly timezone: string;
  readonly parsed: ParsedSchedule;
  readonly startDateMs?: number;
  readonly endDateMs?: number;
  readonly description?: string;
  readonly state: ScheduleState;
  readonly flexibleTimeWindow: {
    readonly Mode: 'OFF' | 'FLEXIBLE';
    readonly MaximumWindowInMinutes?: number;
  };
  readonly target: ScheduleTarget;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly kmsKeyArn?: string;
  readonly createdMs: number;
  readonly modifiedMs: number;
  nextMs: number | undefined;
}

interface ScheduleGroup {
  readonly name: string;
  readonly arn: string;
  readonly createdMs: number;
}

export const DEFAULT_GROUP = 'default';
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const MAX_RETRY_DELAY_MS = 60_000;
const LOCAL_TARGET_SERVICES = new Set(['lambda', 'sqs', 'states', 'events']);

export class SchedulerEngine {
  private readonly groups = new Map<string, ScheduleGroup>();
  private readonly schedules = new Map<string, Schedule>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ticker: ScheduleTicker;
  private readonly retryBaseDelayMs: number;
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(private readonly options: SchedulerEngineOptions) {
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 1_000;
    this.log = options.log ?? (() => undefined);
    this.groups.set(DEFAULT_GROUP, this.newGroup(DEFAULT_GROUP));
    this.ticker = new ScheduleTicker(options.clock, () => this.tick());
  }

  // ---- The API ---------------------------------------------------------------------------------------

  createScheduleGroup(name: string): { ScheduleGroupArn: string } {
    checkName(name, 'name');
    if (this.groups.has(name))
      throw new AwsServiceError('ConflictException', `Schedule group ${name} already exists.`, 409);
    const group = this.newGroup(name);
    this.groups.set(name, group);
    return { ScheduleGroupArn: group.arn };
  }

  getScheduleGroup(name: string): Record<string, unknown> {
    return describeGroup(this.group(name));
  }

  deleteScheduleGroup(name: string): Record<string, never> {
    const group = this.group(name);
    if (group.name === DEFAULT_GROUP) {
      throw new AwsServiceError('ValidationException', 'The default schedule group cannot be deleted.');
    }
    // Deleting a group deletes its schedules.
    for (const [key, schedule] of this.schedules) if (schedule.groupName === name) this.schedules.delete(key);
    this.groups.delete(name);
    return {};
  }

  listScheduleGroups(query: URLSearchParams): Record<string, unknown> {
    const prefix = query.get('NamePrefix') ?? '';
    const groups = [...this.groups.values()]
      .filter((group) => group.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(groups, query);
    return {
      ScheduleGroups: page.items.map(describeGroup),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  createSchedule(name: string, input: Record<string, unknown>): { ScheduleArn: string } {
    const groupName = optionalString(input, 'GroupName') ?? DEFAULT_GROUP;
    checkName(name, 'name');
    this.group(groupName);
    if (this.schedules.has(key(groupName, name))) {
      throw new AwsServiceError('ConflictException', `Schedule ${name} already exists.`, 409);
    }
    const schedule = this.readSchedule(name, groupName, input, undefined);
    this.schedules.set(key(groupName, name), schedule);
    return { ScheduleArn: schedule.arn };
  }

  updateSchedule(name: string, input: Record<string, unknown>): { ScheduleArn: string } {
    const groupName = optionalString(input, 'GroupName') ?? DEFAULT_GROUP;
    const existing = this.schedule(name, groupName);
    const schedule = this.readSchedule(name, groupName, input, existing);
    this.schedules.set(key(groupName, name), schedule);
    return { ScheduleArn: schedule.arn };
  }

  getSchedule(name: string, groupName: string | null): Record<string, unknown> {
    const schedule = this.schedule(name, groupName ?? DEFAULT_GROUP);
    return {
      ...summaryOf(schedule),
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      FlexibleTimeWindow: schedule.flexibleTimeWindow,
      ActionAfterCompletion: schedule.actionAfterCompletion,
      Target: describeTarget(schedule.target),
      ...(schedule.startDateMs === undefined ? {} : { StartDate: schedule.startDateMs / 1000 }),
      ...(schedule.endDateMs === undefined ? {} : { EndDate: schedule.endDateMs / 1000 }),
      ...(schedule.description === undefined ? {} : { Description: schedule.description }),
      ...(schedule.kmsKeyArn === undefined ? {} : { KmsKeyArn: schedule.kmsKeyArn }),
    };
  }

  deleteSchedule(name: string, groupName: string | null): Record<string, never> {
    const group = groupName ?? DEFAULT_GROUP;
    this.schedule(name, group);
    this.schedules.delete(key(group, name));
    return {};
  }

  listSchedules(query: URLSearchParams): Record<string, unknown> {
    const group = query.get('ScheduleGroup');
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State');
    if (state !== null && state !== 'ENABLED' && state !== 'DISABLED') {
      throw new AwsServiceError('ValidationException', `State ${state} is not one of ENABLED, DISABLED.`);
    }
    const schedules = [...this.schedules.values()]
      .filter(
        (schedule) =>
          (group === null || schedule.groupName === group) &&
          schedule.name.startsWith(prefix) &&
          (state === null || schedule.state === state),
      )
      .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name));
    const page = paginate(schedules, query);
    return {
      Schedules: page.items.map((schedule) => ({
        ...summaryOf(schedule),
        Target: { Arn: schedule.target.arn },
      })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  /** The schedules, for `/_local` and the start-up banner: `<group>/<name> (<expression>)`. */
  describe(): string[] {
    return [...this.schedules.values()].map(
      (schedule) =>
        `${schedule.groupName}/${schedule.name} (${schedule.expression}) → ${schedule.target.arn.split(':').at(-1) ?? ''}`,
    );
  }

  // ---- Running the schedules -------------------------------------------------------------------------

  /** Invokes what is due; runs every second and whenever the schedule clock moves. */
  tick(): void {
    const now = this.options.clock.now();
    for (const [scheduleKey, schedule] of this.schedules) {
      schedule.nextMs = fireDueOccurrences(schedule.nextMs, now, {
        enabled: schedule.state === 'ENABLED',
        nextAfter: (afterMs) => this.nextAfter(schedule, afterMs),
        fire: (atMs) => this.invoke(schedule, atMs),
      });
      if (schedule.nextMs === undefined && schedule.actionAfterCompletion === 'DELETE') {
        this.schedules.delete(scheduleKey);
      }
    }
  }

  close(): void {
    this.closed = true;
    this.ticker.close();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private invoke(schedule: Schedule, atMs: number): void {
    const executionId = randomUUID();
    const scheduledTime = isoSeconds(atMs);
    const attempt = async (attemptNumber: number): Promise<void> => {
      if (this.closed) return;
      const invocation = { scheduleArn: schedule.arn, scheduledTime, executionId, attemptNumber };
      const input = withContextAttributes(schedule.target.input ?? '{}', invocation);
      try {
        await this.options.invoker.invoke(schedule.target, input, invocation);
      } catch (error) {
        const { maximumRetryAttempts, maximumEventAgeInSeconds } = schedule.target.retryPolicy;
        const delayMs = Math.min(this.retryBaseDelayMs * 2 ** (attemptNumber - 1), MAX_RETRY_DELAY_MS);
        const tooOld = Date.now() + delayMs - atMs > maximumEventAgeInSeconds * 1000;
        if (attemptNumber <= maximumRetryAttempts && !tooOld) {
          this.later(delayMs, () => attempt(attemptNumber + 1));
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        this.log(`[scheduler] ${schedule.arn}: gave up after ${attemptNumber} attempts: ${message}`);
        if (schedule.target.deadLetterArn !== undefined) {
          this.options.invoker.deadLetter(schedule.target.deadLetterArn, input, {
            ERROR_CODE: error instanceof AwsServiceError ? error.code : 'InvocationFailed',
            ERROR_MESSAGE: message,
            EXHAUSTED_RETRY_CONDITION: tooOld ? 'MaximumEventAgeInSeconds' : 'MaximumRetryAttempts',
            RETRY_ATTEMPTS: String(attemptNumber - 1),
            SCHEDULE_ARN: schedule.arn,
            TARGET_ARN: schedule.target.arn,
            INVOCATION_ID: executionId,
          });
        }
      }
    };
    this.later(0, () => attempt(1));
  }

  private later(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  /** The occurrence after `afterMs` within the schedule's start and end dates. */
  private nextAfter(
    schedule: Pick<Schedule, 'parsed' | 'startDateMs' | 'endDateMs' | 'createdMs'>,
    afterMs: number,
  ): number | undefined {
    if (schedule.parsed.kind === 'at') return nextOccurrence(schedule.parsed, afterMs, afterMs);
    const start = schedule.startDateMs ?? schedule.createdMs;
    const next = nextOccurrence(schedule.parsed, Math.max(afterMs, start - 1), start);
    return next !== undefined && schedule.endDateMs !== undefined && next > schedule.endDateMs
      ? undefined
      : next;
  }

  // ---- Reading requests ------------------------------------------------------------------------------

  private readSchedule(
    name: string,
    groupName: string,
    input: Record<string, unknown>,
    existing: Schedule | undefined,
  ): Schedule {
    const expression = requiredString(input, 'ScheduleExpression');
    const timezone = optionalString(input, 'ScheduleExpressionTimezone') ?? 'UTC';
    let parsed: ParsedSchedule;
    try {
      parsed = parseScheduleExpression(expression, timezone);
    } catch (error) {
      throw new AwsServiceError(
        'ValidationException',
        `Invalid Schedule Expression ${expression}. ${(error as Error).message}`,
      );
    }
    const startDateMs = optionalDate(input, 'StartDate');
    const endDateMs = optionalDate(input, 'EndDate');
    if (startDateMs !== undefined && endDateMs !== undefined && endDateMs <= startDateMs) {
      throw new AwsServiceError(
        'ValidationException',
        'The EndDate you specify must be after the StartDate.',
      );
    }
    const now = this.options.clock.now();
    const schedule: Schedule = {
      name,
      groupName,
      arn: localArn('scheduler', `schedule/${groupName}/${name}`),
      expression,
      timezone,
      parsed,
      state: oneOf(input, 'State', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED',
      flexibleTimeWindow: readFlexibleTimeWindow(input.FlexibleTimeWindow),
      target: readTarget(input.Target),
      actionAfterCompletion: oneOf(input, 'ActionAfterCompletion', ['NONE', 'DELETE'] as const) ?? 'NONE',
      createdMs: existing?.createdMs ?? now,
      modifiedMs: now,
      nextMs: undefined,
      ...(startDateMs === undefined ? {} : { startDateMs }),
      ...(endDateMs === undefined ? {} : { endDateMs }),
      ...optionalField('description', optionalString(input, 'Description')),
      ...optionalField('kmsKeyArn', optionalString(input, 'KmsKeyArn')),
    };
    schedule.nextMs = this.nextAfter(schedule, now);
    return schedule;
  }

  private newGroup(name: string): ScheduleGroup {
    return {
      name,
      arn: localArn('scheduler', `schedule-group/${name}`),
      createdMs: this.options.clock.now(),
    };
  }

  private group(name: string): ScheduleGroup {
    const group = this.groups.get(name);
    if (group === undefined)
      throw new AwsServiceError('ResourceNotFoundException', `Schedule group ${name} does not exist.`, 404);
    return group;
  }

  private schedule(name: string, groupName: string): Schedule {
    this.group(groupName);
    const schedule = this.schedules.get(key(groupName, name));
    if (schedule === undefined) {
      throw new AwsServiceError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
    }
    return schedule;
  }
}

/** The context attributes Scheduler fills in a target's input. */
function withContextAttributes(input: string, invocation: ScheduleInvocation): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', invocation.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', invocation.scheduledTime)
    .replaceAll('<aws.scheduler.execution-id>', invocation.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(invocation.attemptNumber));
}

function readTarget(value: unknown): ScheduleTarget {
  if (typeof value !== 'object' || value === null) {
    throw new AwsServiceError('ValidationException', 'Target is required.');
  }
  const target = value as Record<string, unknown>;
  const arn = requiredString(target, 'Arn');
  const service = arn.split(':')[2] ?? '';
  if (!LOCAL_TARGET_SERVICES.has(service) || arn.startsWith('arn:aws:scheduler:::aws-sdk:')) {
    throw new AwsServiceError(
      'ValidationException',
      `The local Scheduler invokes Lambda functions, SQS queues, state machines and event buses; ${arn} is not emulated.`,
    );
  }
  const retry = (target.RetryPolicy ?? {}) as Record<string, unknown>;
  const maximumRetryAttempts = optionalInteger(retry, 'MaximumRetryAttempts', 0, 185) ?? 185;
  const maximumEventAgeInSeconds = optionalInteger(retry, 'MaximumEventAgeInSeconds', 60, 86_400) ?? 86_400;
  const eventBridge = target.EventBridgeParameters as Record<string, unknown> | undefined;
  if (service === 'events' && eventBridge === undefined) {
    throw new AwsServiceError(
      'ValidationException',
      'EventBridgeParameters are required for an event bus target.',
    );
  }
  const input = optionalString(target, 'Input');
  if (input !== undefined && input.length > 8192) {
    throw new AwsServiceError('ValidationException', 'Target Input must be at most 8192 characters.');
  }
  return {
    arn,
    roleArn: requiredString(target, 'RoleArn'),
    retryPolicy: { maximumRetryAttempts, maximumEventAgeInSeconds },
    ...optionalField('input', input),
    ...optionalField(
      'deadLetterArn',
      optionalString((target.DeadLetterConfig ?? {}) as Record<string, unknown>, 'Arn'),
    ),
    ...optionalField(
      'sqsMessageGroupId',
      optionalString((target.SqsParameters ?? {}) as Record<string, unknown>, 'MessageGroupId'),
    ),
    ...(eventBridge === undefined
      ? {}
      : {
          eventBridge: {
            detailType: requiredString(eventBridge, 'DetailType'),
            source: requiredString(eventBridge, 'Source'),
          },
        }),
  };
}

/** What ListSchedules and GetSchedule both say of a schedule. */
function summaryOf(schedule: Schedule): Record<string, unknown> {
  return {
    Arn: schedule.arn,
    Name: schedule.name,
    GroupName: schedule.groupName,
    State: schedule.state,
    CreationDate: schedule.createdMs / 1000,
    LastModificationDate: schedule.modifiedMs / 1000,
  };
}

function describeTarget(target: ScheduleTarget): Record<string, unknown> {
  return {
    Arn: target.arn,
    RoleArn: target.roleArn,
    RetryPolicy: {
      MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
      MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
    },
    ...(target.input === undefined ? {} : { Input: target.input }),
    ...(target.deadLetterArn === undefined ? {} : { DeadLetterConfig: { Arn: target.deadLetterArn } }),
    ...(target.sqsMessageGroupId === undefined
      ? {}
      : { SqsParameters: { MessageGroupId: target.sqsMessageGroupId } }),
    ...(target.eventBridge === undefined
      ? {}
      : {
          EventBridgeParameters: {
            DetailType: target.eventBridge.detailType,
            Source: target.eventBridge.source,
          },
        }),
  };
}

function readFlexibleTimeWindow(value: unknown): Schedule['flexibleTimeWindow'] {
  if (typeof value !== 'object' || value === null) {
    throw new AwsServiceError('ValidationException', 'FlexibleTimeWindow is required.');
  }
  const window = value as Record<string, unknown>;
  const mode = oneOf(window, 'Mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined)
    throw new AwsServiceError('ValidationException', 'FlexibleTimeWindow.Mode is required.');
  const minutes = optionalInteger(window, 'MaximumWindowInMinutes', 1, 1440);
  if (mode === 'FLEXIBLE' && minutes === undefined) {
    throw new AwsServiceError(
      'ValidationException',
      'MaximumWindowInMinutes is required when Mode is FLEXIBLE.',
    );
  }
  if (mode === 'OFF' && minutes !== undefined) {
    throw new AwsServiceError(
      'ValidationException',
      'MaximumWindowInMinutes is only allowed when Mode is FLEXIBLE.',
    );
  }
  return mode === 'OFF' ? { Mode: 'OFF' } : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: minutes };
}

function describeGroup(group: ScheduleGroup): Record<string, unknown> {
  return {
    Arn: group.arn,
    Name: group.name,
    State: 'ACTIVE',
    CreationDate: group.createdMs / 1000,
    LastModificationDate: group.createdMs / 1000,
  };
}

function paginate<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxResults = query.get('MaxResults') === null ? 100 : Number(query.get('MaxResults'));
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new AwsServiceError('ValidationException', 'MaxResults must be between 1 and 100.');
  }
  return offsetPage(
    items,
    query.get('NextToken') ?? undefined,
    maxResults,
    () => new AwsServiceError('ValidationException', 'The NextToken is not valid.'),
  );
}

function key(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}

function checkName(value: string, field: string): void {
  if (!NAME.test(value)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+ and have length between 1 and 64`,
    );
  }
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsServiceError('ValidationException', `${field} is required.`);
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new AwsServiceError('ValidationException', `${field} must be a string.`);
  return value;
}

function optionalInteger(
  input: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AwsServiceError('ValidationException', `${field} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/** A REST-JSON timestamp: epoch seconds (the SDK's default) or an ISO date. */
function optionalDate(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new AwsServiceError('ValidationException', `${field} is not a valid date.`);
  return ms;
}

function oneOf<T extends string>(
  input: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new AwsServiceError('ValidationException', `${field} must be one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

function optionalField<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
