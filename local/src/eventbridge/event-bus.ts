/**
 * The local EventBridge: event buses, rules and targets, `PutEvents` with AWS's validation, pattern
 * matching, target input shaping, and delivery with the target's retry policy and dead-letter queue.
 * The actual sending (Lambda, SQS, Step Functions …) is the injected `TargetDispatcher`'s job.
 */
import { randomUUID } from 'node:crypto';
import {
  AwsServiceError,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localArn,
  type JsonProtocolService,
} from '../aws-protocol';
import { BoundedLog } from '../cloud/bounded-log';
import { matchesPattern, validatePattern } from './event-pattern';
import { TransformedInputNotJsonError, targetInput, type InputTransformer } from './input-transformer';
import {
  PUT_EVENTS_MAX_REQUEST_BYTES,
  validatePutEventsRequest,
  type EntryError,
  type ValidatedEntry,
} from './put-events-validation';
import { checkPutTargetsConstraints, checkTarget } from './put-targets-validation';
import { parseScheduleExpression, type ParsedSchedule } from '../scheduler/schedule-expression';

export const DEFAULT_BUS = 'default';
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
export const MAX_TARGETS_PER_RULE = 5;
const DELIVERY_LOG_SIZE = 500;

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RetryPolicy {
  /** 0–185; AWS's default is 185. */
  readonly maximumRetryAttempts?: number;
  /** 60–86,400; AWS's default is 86,400 (24 hours). */
  readonly maximumEventAgeInSeconds?: number;
}

export interface Target {
  readonly id: string;
  readonly arn: string;
  readonly roleArn?: string;
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
  readonly retryPolicy?: RetryPolicy;
  /** The SQS queue that receives the event once delivery is given up. */
  readonly deadLetterArn?: string;
  readonly sqsMessageGroupId?: string;
}

export interface DeliveryContext {
  readonly traceHeader?: string;
  readonly ruleArn: string;
  readonly eventId: string;
}

/** What AWS puts in the dead-letter message's attributes. */
export interface DeadLetterContext {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly ruleArn: string;
  readonly targetArn: string;
  readonly retryAttempts: number;
  /** Set when retries ran out rather than the error being one AWS does not retry. */
  readonly exhaustedRetryCondition?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
  readonly traceHeader?: string;
}

/** Sends to the local services. A rejection is a failed attempt. */
export interface TargetDispatcher {
  /** `input` is the text the target receives (usually JSON). */
  deliver(target: Target, input: string, context: DeliveryContext): Promise<void>;
  /** `eventJson` is the original event: AWS dead-letters the event, not the target's shaped input. */
  deliverToDeadLetter(deadLetterArn: string, eventJson: string, context: DeadLetterContext): Promise<void>;
}

/**
 * A dispatcher may reject with this to name the AWS dead-letter `ERROR_CODE` and say whether AWS would
 * retry; other errors are classified from their AWS error code.
 */
export class TargetDeliveryError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'TargetDeliveryError';
  }
}

export type DeliveryOutcome = 'in-flight' | 'delivered' | 'dead-lettered' | 'dropped' | 'bus-not-found';

export interface DeliveryRecord {
  readonly eventId: string;
  readonly busName: string;
  readonly ruleName?: string;
  readonly ruleArn?: string;
  readonly targetId?: string;
  readonly targetArn?: string;
  readonly outcome: DeliveryOutcome;
  readonly attempts: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
}

export type EntryFaultInjector = (entry: ValidatedEntry) => EntryError | undefined;

export interface PutEventsOptions {
  /** The request's `X-Amzn-Trace-Id`, used for entries without their own `TraceHeader`. */
  readonly traceHeader?: string;
}

export interface PutEventsEntryResult {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: PutEventsEntryResult[];
}

export interface PutRuleInput {
  readonly name: string;
  readonly busName?: string;
  /** JSON text or the pattern object as the template holds it. */
  readonly eventPattern?: string | Record<string, unknown>;
  readonly scheduleExpression?: string;
  readonly state?: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
}

export interface EventBridgeEngineOptions {
  readonly dispatcher: TargetDispatcher;
  /** First retry delay; doubles per attempt up to `retryMaxDelayMs`. AWS's real backoff is far slower. */
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** See `PUT_EVENTS_MAX_REQUEST_BYTES`. */
  readonly maxRequestBytes?: number;
  readonly now?: () => Date;
}

/** An event as rules see it and targets receive it by default. */
export type EventBridgeEvent = {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
};

interface Bus {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly createdAt: Date;
  readonly rules: Map<string, Rule>;
}

interface Rule {
  readonly name: string;
  readonly busName: string;
  readonly arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  readonly targets: Map<string, Target>;
}

type MutableRecord = { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] };

interface DeliveryJob {
  readonly target: Target;
  readonly rule: Rule;
  readonly input: string;
  readonly eventJson: string;
  readonly ingestedAt: number;
  readonly context: DeliveryContext;
  readonly record: MutableRecord;
  attempts: number;
}

interface Failure {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly retryable: boolean;
}

export class EventBridgeEngine implements JsonProtocolService {
  readonly targetPrefix = 'AWSEvents';
  readonly jsonVersion = '1.1' as const;
  /**
   * Four times PutEvents' 1 MiB limit: a `Detail` written as a JSON string can double (every quote or
   * backslash escaped) and the rest is headroom, so that PutEvents' own size check, with its own error,
   * answers every request near the limit.
   */
  readonly maxRequestBodyBytes = 4 * PUT_EVENTS_MAX_REQUEST_BYTES;

  private readonly buses = new Map<string, Bus>();
  private readonly log = new BoundedLog<MutableRecord>(DELIVERY_LOG_SIZE);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dispatcher: TargetDispatcher;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly maxRequestBytes?: number;
  private readonly now: () => Date;
  private faultInjector?: EntryFaultInjector;
  private closed = false;

  constructor(options: EventBridgeEngineOptions) {
    this.dispatcher = options.dispatcher;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000;
    this.maxRequestBytes = options.maxRequestBytes;
    this.now = options.now ?? (() => new Date());
    this.createBus(DEFAULT_BUS);
  }

  // ---- Set-up from the template -------------------------------------------------------------------

  createBus(name: string, description?: string): string {
    if (this.buses.has(name)) {
      throw new AwsServiceError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    }
    if (!/^[.\-_A-Za-z0-9]{1,256}$/.test(name)) {
      throw new AwsServiceError(
        'ValidationException',
        `Event bus name ${name} is not valid: use 1 to 256 characters of [.-_A-Za-z0-9].`,
      );
    }
    const bus: Bus = {
      name,
      arn: localArn('events', `event-bus/${name}`),
      description,
      createdAt: this.now(),
      rules: new Map(),
    };
    this.buses.set(name, bus);
    return bus.arn;
  }

  /** Creates or updates a rule (keeping its targets, as AWS does); returns its ARN. */
  putRule(input: PutRuleInput): string {
    const bus = this.bus(input.busName ?? DEFAULT_BUS);
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(input.name)) {
      throw new AwsServiceError(
        'ValidationException',
        `Rule name ${input.name} is not valid: use 1 to 64 characters of [.-_A-Za-z0-9].`,
      );
    }
    const eventPattern =
      input.eventPattern === undefined || typeof input.eventPattern === 'string'
        ? input.eventPattern
        : JSON.stringify(input.eventPattern);
    if (eventPattern === undefined && input.scheduleExpression === undefined) {
      throw new AwsServiceError(
        'ValidationException',
        'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      );
    }
    if (input.scheduleExpression !== undefined) {
      // Scheduled rules live on the default bus and take rate and cron expressions (no at()).
      if (bus.name !== DEFAULT_BUS) {
        throw new AwsServiceError(
          'ValidationException',
          'ScheduleExpression is supported only on the default event bus.',
        );
      }
      let schedule: ParsedSchedule | undefined;
      try {
        schedule = parseScheduleExpression(input.scheduleExpression);
      } catch {
        schedule = undefined;
      }
      if (schedule === undefined || schedule.kind === 'at') {
        throw new AwsServiceError('ValidationException', 'Parameter ScheduleExpression is not valid.');
      }
    }
    if (eventPattern !== undefined) {
      try {
        validatePattern(eventPattern);
      } catch (error) {
        throw new AwsServiceError(
          'InvalidEventPatternException',
          `Event pattern is not valid. Reason: ${(error as Error).message}`,
        );
      }
    }
    const existing = bus.rules.get(input.name);
    const rule: Rule = existing ?? {
      name: input.name,
      busName: bus.name,
      arn: localArn(
        'events',
        bus.name === DEFAULT_BUS ? `rule/${input.name}` : `rule/${bus.name}/${input.name}`,
      ),
      state: 'ENABLED',
      targets: new Map(),
    };
    rule.eventPattern = eventPattern;
    rule.scheduleExpression = input.scheduleExpression;
    rule.state = input.state ?? 'ENABLED';
    rule.description = input.description;
    rule.roleArn = input.roleArn;
    bus.rules.set(rule.name, rule);
    return rule.arn;
  }

  /** Adds or replaces targets by id. */
  putTargets(ruleName: string, busName: string | undefined, targets: readonly Target[]): void {
    const rule = this.rule(ruleName, busName);
    targets.forEach(checkTarget);
    const ids = new Set([...rule.targets.keys(), ...targets.map((target) => target.id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) {
      throw new AwsServiceError(
        'LimitExceededException',
        'The requested resource exceeds the maximum number allowed.',
      );
    }
    for (const target of targets) {
      rule.targets.set(target.id, target);
    }
  }

  /**
   * Makes a fraction of `PutEvents` entries fail (e.g. with `InternalFailure`) so callers' retry of
   * failed entries can be exercised. `undefined` removes it.
   */
  setEntryFaultInjector(injector: EntryFaultInjector | undefined): void {
    this.faultInjector = injector;
  }

  /** The most recent deliveries, oldest first (at most 500). */
  deliveries(): DeliveryRecord[] {
    return this.log.items().map((record) => ({ ...record }));
  }

  /** Deliveries dropped from `deliveries()` to make room. */
  get deliveriesEvicted(): number {
    return this.log.evicted;
  }

  /** Stops pending retries; attempts already under way finish without scheduling more. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }

  // ---- The API ------------------------------------------------------------------------------------

  async handle(
    operation: string,
    input: Record<string, unknown>,
    context: PutEventsOptions = {},
  ): Promise<unknown> {
    switch (operation) {
      case 'PutEvents':
        return this.putEvents(input, context);
      case 'TestEventPattern':
        return this.testEventPattern(input);
      case 'PutRule':
        return { RuleArn: this.putRule(ruleInputFromApi(input)) };
      case 'DescribeRule':
        return describeRule(this.rule(requiredString(input, 'Name'), optionalString(input, 'EventBusName')));
      case 'ListRules':
        return this.listRules(input);
      case 'EnableRule':
      case 'DisableRule': {
        const rule = this.rule(requiredString(input, 'Name'), optionalString(input, 'EventBusName'));
        rule.state = operation === 'EnableRule' ? 'ENABLED' : 'DISABLED';
        return {};
      }
      case 'DeleteRule':
        return this.deleteRule(input);
      case 'PutTargets': {
        checkPutTargetsConstraints(input);
        const targets = Array.isArray(input.Targets) ? input.Targets : [];
        this.putTargets(
          requiredString(input, 'Rule'),
          optionalString(input, 'EventBusName'),
          targets.map((target: unknown) => targetFromApi(target)),
        );
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
      case 'ListTargetsByRule': {
        const rule = this.rule(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'));
        return { Targets: [...rule.targets.values()].map(targetToApi) };
      }
      case 'RemoveTargets': {
        const rule = this.rule(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'));
        const ids = Array.isArray(input.Ids) ? input.Ids : [];
        for (const id of ids) {
          rule.targets.delete(String(id));
        }
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
      case 'CreateEventBus':
        return {
          EventBusArn: this.createBus(requiredString(input, 'Name'), optionalString(input, 'Description')),
        };
      case 'DeleteEventBus':
        return this.deleteBus(requiredString(input, 'Name'));
      case 'DescribeEventBus':
        return describeBus(this.bus(optionalString(input, 'Name') ?? DEFAULT_BUS));
      case 'ListEventBuses':
        return this.listBuses(input);
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `The local EventBridge does not implement ${operation}.`,
        );
    }
  }

  /**
   * Accepts the valid entries and answers at once; matching rules' targets are sent to afterwards.
   * An entry for a bus that does not exist is accepted and dropped, as AWS does (it returns an
   * `EventId` and no error); the drop shows in `deliveries()`.
   */
  async putEvents(input: Record<string, unknown>, options: PutEventsOptions = {}): Promise<PutEventsResult> {
    const validations = validatePutEventsRequest(input, { maxRequestBytes: this.maxRequestBytes });
    const ingestedAt = this.now();
    let failed = 0;
    const results = validations.map((validation): PutEventsEntryResult => {
      if (!validation.ok) {
        failed++;
        return { ErrorCode: validation.errorCode, ErrorMessage: validation.errorMessage };
      }
      const fault = this.faultInjector?.(validation.entry);
      if (fault) {
        failed++;
        return { ErrorCode: fault.errorCode, ErrorMessage: fault.errorMessage };
      }
      const event = buildEvent(validation.entry, ingestedAt);
      this.route(event, validation.entry, validation.entry.traceHeader ?? options.traceHeader, ingestedAt);
      return { EventId: event.id };
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  // ---- Routing and delivery -----------------------------------------------------------------------

  private route(
    event: EventBridgeEvent,
    entry: ValidatedEntry,
    traceHeader: string | undefined,
    at: Date,
  ): void {
    const busName = resolveBusName(entry.eventBusName);
    const bus = busName === undefined ? undefined : this.buses.get(busName);
    if (!bus) {
      this.remember({
        eventId: event.id,
        busName: busName ?? entry.eventBusName,
        outcome: 'bus-not-found',
        attempts: 0,
        errorMessage: `Event bus ${entry.eventBusName} does not exist; AWS accepts the event and drops it.`,
        startedAt: isoSeconds(at),
        finishedAt: isoSeconds(at),
      });
      return;
    }
    const eventJson = JSON.stringify(event);
    for (const rule of bus.rules.values()) {
      if (
        rule.state === 'DISABLED' ||
        rule.eventPattern === undefined ||
        !safeMatch(rule.eventPattern, event)
      ) {
        continue;
      }
      this.deliverToTargets(event, eventJson, rule, traceHeader, at);
    }
  }

  /** The rules that run on a schedule, as the scheduler that fires them needs them. */
  scheduledRules(): {
    readonly name: string;
    readonly scheduleExpression: string;
    readonly enabled: boolean;
  }[] {
    const bus = this.buses.get(DEFAULT_BUS);
    return [...(bus?.rules.values() ?? [])].flatMap((rule) =>
      rule.scheduleExpression === undefined
        ? []
        : [
            {
              name: rule.name,
              scheduleExpression: rule.scheduleExpression,
              enabled: rule.state !== 'DISABLED',
            },
          ],
    );
  }

  /**
   * What a scheduled rule does when its time comes: a `Scheduled Event` from `aws.events`, naming the
   * rule, to each of its targets (with their retries and dead-letter queues).
   */
  fireScheduledRule(ruleName: string, at: Date): void {
    const rule = this.rule(ruleName, DEFAULT_BUS);
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT,
      time: isoSeconds(at),
      region: LOCAL_REGION,
      resources: [rule.arn],
      detail: {},
    };
    this.deliverToTargets(event, JSON.stringify(event), rule, undefined, at);
  }

  private deliverToTargets(
    event: EventBridgeEvent,
    eventJson: string,
    rule: Rule,
    traceHeader: string | undefined,
    at: Date,
  ): void {
    for (const target of rule.targets.values()) {
      const input = this.shapeInput(event, rule, target, at);
      if (input === undefined) {
        continue;
      }
      const job: DeliveryJob = {
        target,
        rule,
        input,
        eventJson,
        ingestedAt: at.getTime(),
        context: { traceHeader, ruleArn: rule.arn, eventId: event.id },
        record: this.remember(targetRecord(event, rule, target, 'in-flight', at)),
        attempts: 0,
      };
      // Deferred so the PutEvents answer never waits on a target.
      this.schedule(0, () => this.attempt(job));
    }
  }

  /**
   * The target's input, or `undefined` when AWS would send nothing: a JSON template that is no JSON
   * once filled. That delivery is recorded as dropped, neither retried nor dead-lettered (no recording
   * shows AWS doing either).
   */
  private shapeInput(event: EventBridgeEvent, rule: Rule, target: Target, at: Date): string | undefined {
    try {
      return targetInput(event, target, {
        ruleArn: rule.arn,
        ruleName: rule.name,
        ingestionTime: isoSeconds(at),
      });
    } catch (error) {
      if (!(error instanceof TransformedInputNotJsonError)) {
        throw error;
      }
      this.remember({
        ...targetRecord(event, rule, target, 'dropped', at),
        errorMessage: error.message,
        finishedAt: isoSeconds(at),
      });
      return undefined;
    }
  }

  private async attempt(job: DeliveryJob): Promise<void> {
    job.attempts++;
    job.record.attempts = job.attempts;
    try {
      await Promise.resolve().then(() => this.dispatcher.deliver(job.target, job.input, job.context));
      this.finish(job, 'delivered');
      return;
    } catch (error) {
      const failure = classifyFailure(error);
      job.record.errorCode = failure.errorCode;
      job.record.errorMessage = failure.errorMessage;
      if (!failure.retryable) {
        return this.giveUp(job, failure, undefined);
      }
      const policy = job.target.retryPolicy ?? {};
      const maxRetries = policy.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
      const maxAgeMs = (policy.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
      const delay = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** (job.attempts - 1));
      if (job.attempts - 1 >= maxRetries) {
        return this.giveUp(job, failure, 'MaximumRetryAttempts');
      }
      if (this.now().getTime() + delay - job.ingestedAt > maxAgeMs) {
        return this.giveUp(job, failure, 'MaximumEventAgeInSeconds');
      }
      this.schedule(delay, () => this.attempt(job));
    }
  }

  private async giveUp(
    job: DeliveryJob,
    failure: Failure,
    exhaustedRetryCondition: DeadLetterContext['exhaustedRetryCondition'],
  ): Promise<void> {
    const deadLetterArn = job.target.deadLetterArn;
    if (deadLetterArn === undefined) {
      return this.finish(job, 'dropped');
    }
    try {
      await this.dispatcher.deliverToDeadLetter(deadLetterArn, job.eventJson, {
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
        ruleArn: job.rule.arn,
        targetArn: job.target.arn,
        retryAttempts: job.attempts - 1,
        exhaustedRetryCondition,
        traceHeader: job.context.traceHeader,
      });
      this.finish(job, 'dead-lettered');
    } catch (error) {
      job.record.errorMessage = `${failure.errorMessage}; the dead-letter queue refused it too: ${
        (error as Error).message
      }`;
      this.finish(job, 'dropped');
    }
  }

  private finish(job: DeliveryJob, outcome: DeliveryOutcome): void {
    job.record.outcome = outcome;
    job.record.finishedAt = isoSeconds(this.now());
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    if (this.closed) {
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    // Pending retries must not keep a finished process alive.
    timer.unref();
    this.timers.add(timer);
  }

  private remember(record: MutableRecord): MutableRecord {
    this.log.push(record);
    return record;
  }

  // ---- Read and delete operations -----------------------------------------------------------------

  private testEventPattern(input: Record<string, unknown>): { Result: boolean } {
    const pattern = requiredString(input, 'EventPattern');
    const eventText = requiredString(input, 'Event');
    try {
      validatePattern(pattern);
    } catch (error) {
      throw new AwsServiceError(
        'InvalidEventPatternException',
        `Event pattern is not valid. Reason: ${(error as Error).message}`,
      );
    }
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw new AwsServiceError('ValidationException', 'Parameter Event is not valid.');
    }
    // The API reference lists these as mandatory in the tested event.
    const mandatory = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];
    if (!isRecord(event) || mandatory.some((field) => event[field] === undefined)) {
      throw new AwsServiceError('ValidationException', 'Parameter Event is not valid.');
    }
    return { Result: matchesPattern(pattern, event) };
  }

  private listRules(input: Record<string, unknown>): { Rules: unknown[]; NextToken?: string } {
    const bus = this.bus(optionalString(input, 'EventBusName') ?? DEFAULT_BUS);
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    const rules = [...bus.rules.values()]
      .filter((rule) => rule.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(rules, input);
    return { Rules: page.items.map(describeRule), NextToken: page.nextToken };
  }

  private deleteRule(input: Record<string, unknown>): Record<string, never> {
    const bus = this.bus(optionalString(input, 'EventBusName') ?? DEFAULT_BUS);
    const name = requiredString(input, 'Name');
    const rule = bus.rules.get(name);
    if (rule && rule.targets.size > 0 && input.Force !== true) {
      throw new AwsServiceError('ValidationException', "Rule can't be deleted since it has targets.");
    }
    // Deleting a rule that does not exist succeeds, as on AWS.
    bus.rules.delete(name);
    return {};
  }

  private deleteBus(nameOrArn: string): Record<string, never> {
    const name = resolveBusName(nameOrArn);
    if (name === DEFAULT_BUS) {
      throw new AwsServiceError('ValidationException', 'Cannot delete event bus default.');
    }
    if (name !== undefined) {
      this.buses.delete(name);
    }
    return {};
  }

  private listBuses(input: Record<string, unknown>): { EventBuses: unknown[]; NextToken?: string } {
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    const buses = [...this.buses.values()]
      .filter((bus) => bus.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(buses, input);
    return { EventBuses: page.items.map(describeBus), NextToken: page.nextToken };
  }

  private bus(nameOrArn: string): Bus {
    const name = resolveBusName(nameOrArn);
    const bus = name === undefined ? undefined : this.buses.get(name);
    if (!bus) {
      throw new AwsServiceError('ResourceNotFoundException', `Event bus ${nameOrArn} does not exist.`);
    }
    return bus;
  }

  private rule(name: string, busName: string | undefined): Rule {
    const bus = this.bus(busName ?? DEFAULT_BUS);
    const rule = bus.rules.get(name);
    if (!rule) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${bus.name}.`,
      );
    }
    return rule;
  }
}

// ---- Pure helpers ---------------------------------------------------------------------------------

export function buildEvent(entry: ValidatedEntry, ingestedAt: Date): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.detailType,
    source: entry.source,
    account: LOCAL_ACCOUNT,
    time: isoSeconds(entry.time ?? ingestedAt),
    region: LOCAL_REGION,
    resources: [...entry.resources],
    detail: entry.detail,
  };
}

/** Maps a dispatcher's rejection to AWS's dead-letter `ERROR_CODE` and whether AWS retries it. */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof TargetDeliveryError) {
    return { errorCode: error.errorCode, errorMessage: error.message, retryable: error.retryable };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AwsServiceError) {
    if (
      [
        'ResourceNotFoundException',
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'StateMachineDoesNotExist',
      ].includes(error.code)
    ) {
      // A missing resource or permission is not retried: AWS dead-letters it at once.
      return { errorCode: 'NO_RESOURCE', errorMessage: message, retryable: false };
    }
    if (['AccessDeniedException', 'AccessDenied'].includes(error.code)) {
      return { errorCode: 'NO_PERMISSIONS', errorMessage: message, retryable: false };
    }
    if (
      [
        'ThrottlingException',
        'TooManyRequestsException',
        'RequestLimitExceeded',
        'ExecutionLimitExceeded',
      ].includes(error.code)
    ) {
      return { errorCode: 'THROTTLING', errorMessage: message, retryable: true };
    }
    return { errorCode: 'SDK_CLIENT_ERROR', errorMessage: message, retryable: true };
  }
  return { errorCode: 'INTERNAL_ERROR', errorMessage: message, retryable: true };
}

/** ISO 8601 without milliseconds, as EventBridge writes `time`. */
/** A delivery's record as it starts: the event, the rule, the target, no attempt yet. */
function targetRecord(
  event: EventBridgeEvent,
  rule: Rule,
  target: Target,
  outcome: DeliveryOutcome,
  at: Date,
): MutableRecord {
  return {
    eventId: event.id,
    busName: rule.busName,
    ruleName: rule.name,
    ruleArn: rule.arn,
    targetId: target.id,
    targetArn: target.arn,
    outcome,
    attempts: 0,
    startedAt: isoSeconds(at),
  };
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A bus name, or the name inside a local bus ARN; `undefined` for another account's or Region's ARN. */
function resolveBusName(nameOrArn: string): string | undefined {
  const arn = /^arn:aws[\w-]*:events:([^:]*):(\d{12}):event-bus\/(.+)$/.exec(nameOrArn);
  if (!arn) {
    return nameOrArn;
  }
  return arn[1] === LOCAL_REGION && arn[2] === LOCAL_ACCOUNT ? arn[3] : undefined;
}

function safeMatch(pattern: string, event: EventBridgeEvent): boolean {
  try {
    return matchesPattern(pattern, event);
  } catch {
    // Patterns are validated when the rule is put; a pattern the matcher still rejects matches nothing.
    return false;
  }
}

function ruleInputFromApi(input: Record<string, unknown>): PutRuleInput {
  const state = optionalString(input, 'State');
  if (
    state !== undefined &&
    !['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state)
  ) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: ` +
        'Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]',
    );
  }
  return {
    name: requiredString(input, 'Name'),
    busName: optionalString(input, 'EventBusName'),
    eventPattern: optionalString(input, 'EventPattern'),
    scheduleExpression: optionalString(input, 'ScheduleExpression'),
    state: state as RuleState | undefined,
    description: optionalString(input, 'Description'),
    roleArn: optionalString(input, 'RoleArn'),
  };
}

function targetFromApi(raw: unknown): Target {
  if (!isRecord(raw)) {
    throw new AwsServiceError('SerializationException', 'Each target must be a structure.');
  }
  const transformer = isRecord(raw.InputTransformer) ? raw.InputTransformer : undefined;
  const retry = isRecord(raw.RetryPolicy) ? raw.RetryPolicy : undefined;
  const deadLetter = isRecord(raw.DeadLetterConfig) ? raw.DeadLetterConfig : undefined;
  const sqs = isRecord(raw.SqsParameters) ? raw.SqsParameters : undefined;
  return {
    id: requiredString(raw, 'Id'),
    arn: requiredString(raw, 'Arn'),
    roleArn: optionalString(raw, 'RoleArn'),
    input: optionalString(raw, 'Input'),
    inputPath: optionalString(raw, 'InputPath'),
    inputTransformer: transformer && {
      inputPathsMap: isRecord(transformer.InputPathsMap)
        ? (Object.fromEntries(
            Object.entries(transformer.InputPathsMap).map(([name, path]) => [name, String(path)]),
          ) as Record<string, string>)
        : undefined,
      inputTemplate: requiredString(transformer, 'InputTemplate'),
    },
    retryPolicy: retry && {
      maximumRetryAttempts: optionalNumber(retry, 'MaximumRetryAttempts'),
      maximumEventAgeInSeconds: optionalNumber(retry, 'MaximumEventAgeInSeconds'),
    },
    deadLetterArn: deadLetter && optionalString(deadLetter, 'Arn'),
    sqsMessageGroupId: sqs && optionalString(sqs, 'MessageGroupId'),
  };
}

function targetToApi(target: Target): Record<string, unknown> {
  return {
    Id: target.id,
    Arn: target.arn,
    RoleArn: target.roleArn,
    Input: target.input,
    InputPath: target.inputPath,
    InputTransformer: target.inputTransformer && {
      InputPathsMap: target.inputTransformer.inputPathsMap,
      InputTemplate: target.inputTransformer.inputTemplate,
    },
    RetryPolicy: target.retryPolicy && {
      MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds:
        target.retryPolicy.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    },
    DeadLetterConfig: target.deadLetterArn === undefined ? undefined : { Arn: target.deadLetterArn },
    SqsParameters:
      target.sqsMessageGroupId === undefined ? undefined : { MessageGroupId: target.sqsMessageGroupId },
  };
}

function describeRule(rule: Rule): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    EventPattern: rule.eventPattern,
    ScheduleExpression: rule.scheduleExpression,
    State: rule.state,
    Description: rule.description,
    RoleArn: rule.roleArn,
    EventBusName: rule.busName,
    CreatedBy: LOCAL_ACCOUNT,
  };
}

function describeBus(bus: Bus): Record<string, unknown> {
  // JSON 1.1 timestamps travel as epoch seconds.
  const created = bus.createdAt.getTime() / 1000;
  return {
    Name: bus.name,
    Arn: bus.arn,
    Description: bus.description,
    CreationTime: created,
    LastModifiedTime: created,
  };
}

function paginate<T>(items: T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
  const start = Number(optionalString(input, 'NextToken') ?? '0') || 0;
  const limit = Math.max(1, Math.min(100, optionalNumber(input, 'Limit') ?? 100));
  const end = start + limit;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string') {
    throw nullValue(field.charAt(0).toLowerCase() + field.slice(1));
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  return typeof value === 'number' ? value : undefined;
}

function nullValue(member: string): AwsServiceError {
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
