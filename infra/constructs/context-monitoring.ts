import { CfnOutput, Duration, Lazy, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { AlarmTopic } from './alarm-topic';
import type { EventConsumer } from './event-consumer';
import type { OutboxRelay } from './outbox-relay';
import { firstMessageAlarm } from './queue-alarms';
import { LIVE_ALIAS, METRICS_NAMESPACE, type ServiceFunction } from './service-function';

/** What an operator tunes: the limits past which a context's alarms fire. */
export interface MonitoringThresholds {
  /** A route's p99 latency, over 5 minutes, in 2 of 3 periods. @default Duration.seconds(3) */
  readonly apiLatencyP99?: Duration;
  /** A route's share of 5xx answers, in percent, over 5 minutes. @default 5 */
  readonly apiServerErrorRatePercent?: number;
  /** A route's requests in 5 minutes below which its 5xx rate does not count. @default 10 */
  readonly apiMinimumRequests?: number;
  /** A function's share of failed invocations, in percent, over 5 minutes. @default 5 */
  readonly functionErrorRatePercent?: number;
  /** The age of a work queue's oldest message. @default Duration.minutes(30) */
  readonly queueMessageAge?: Duration;
}

export interface MonitoringOptions {
  /**
   * Where every alarm, and the guard, notify: the platform's one topic in the app.
   * @default - a topic of the context's own
   */
  readonly alarmTopic?: sns.ITopic;
  /** The first part of every alarm's and dashboard's name: the app's name. @default 'shop' */
  readonly namePrefix?: string;
  readonly thresholds?: MonitoringThresholds;
}

export interface ContextMonitoringProps extends MonitoringOptions {
  /** The bounded context, lower-case kebab-case: its functions' `service` metric dimension. */
  readonly service: string;
}

export interface FunctionMonitoringOptions {
  /** @default the context's `functionErrorRatePercent` */
  readonly errorRatePercent?: number;
  /** Invocations in 5 minutes below which the error rate does not count. @default 1 */
  readonly minimumInvocations?: number;
  /**
   * Why some errors are expected (a saga step that throws business outcomes): said in the alarm's
   * description, beside the tolerance chosen. @default - every error is a fault
   */
  readonly expectedErrors?: string;
  /** Throttled invocations in 5 minutes that fire the alarm. @default 1 */
  readonly throttles?: number;
  /**
   * Whether its alarms count in the guard. A CodeDeploy traffic hook's do not: a failing hook fails its
   * deployment already, and the deployment groups read the guard (the guard cannot wait on them). @default true
   */
  readonly inGuard?: boolean;
}

export interface ApiMonitoringTarget {
  /** The REST API's name, its metrics' `ApiName` dimension. */
  readonly apiName: string;
  /** The stage serving it, the `Stage` dimension. */
  readonly stageName: string;
}

/**
 * The tolerance of a saga step whose errors include the saga's business outcomes (`OutOfStock`,
 * `PaymentDeclined`…), which the state machine catches and compensates: half of at least ten
 * invocations failing is a broken step, not a run of bad luck.
 */
export const SAGA_STEP_ERRORS: FunctionMonitoringOptions = {
  errorRatePercent: 50,
  minimumInvocations: 10,
  expectedErrors: "the step throws the saga's business outcomes, which the state machine handles.",
};

const FIVE_MINUTES = Duration.minutes(5);
const MAX_ALARMS_IN_A_RULE = 100;

/**
 * A bounded context's monitoring: a CloudWatch dashboard and alarms on what the context runs, every
 * alarm notifying one SNS topic, and one **guard**: a composite alarm in ALARM while any of the
 * context's alarms is (a rollout refuses to start on it, or stops on it).
 *
 * Each `monitorXxx` call adds a resource's alarms and its widgets; `addAlarm` folds in an alarm made
 * elsewhere (a construct's own), giving it the topic and a place in the guard. The `MonitoringRequired`
 * aspect fails the synthesis on a function, queue, API stage or state machine no alarm watches.
 */
export class ContextMonitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** In ALARM while any alarm of the context is: named `<prefix>-<service>-guard`. */
  public readonly guard: cloudwatch.CompositeAlarm;
  public readonly alarmTopic: sns.ITopic;
  private readonly service: string;
  private readonly namePrefix: string;
  private readonly thresholds: Required<MonitoringThresholds>;
  private readonly alarmList: cloudwatch.AlarmBase[] = [];
  private readonly sections = new Map<string, Map<string, cloudwatch.GraphWidget>>();

  constructor(scope: Construct, id: string, props: ContextMonitoringProps) {
    super(scope, id);
    this.service = props.service;
    this.namePrefix = props.namePrefix ?? 'shop';
    this.thresholds = validThresholds(id, props.thresholds ?? {});
    if (!/^[a-z][a-z0-9-]*$/.test(props.service)) {
      throw new Error(`ContextMonitoring ${id}: service '${props.service}' must be lower-case kebab-case.`);
    }
    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'AlarmTopic');

    const alarms = this.alarmList;
    this.guard = new cloudwatch.CompositeAlarm(this, 'Guard', {
      compositeAlarmName: this.nameOf('guard'),
      alarmDescription:
        `The ${this.service} context is unhealthy: one of its alarms is in ALARM. Rollouts of the ` +
        'context refuse to start, and roll back, while it is (docs/patterns/monitoring.md).',
      // The alarms are known once the stack is built: the rule is rendered at synthesis.
      alarmRule: { renderAlarmRule: () => Lazy.string({ produce: () => anyOf(alarms) }) },
    });
    this.guard.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.guard.addOkAction(new actions.SnsAction(this.alarmTopic));
    this.node.addValidation({
      validate: () =>
        alarms.length === 0
          ? ['the guard has no alarm to combine: monitor at least one resource.']
          : alarms.length > MAX_ALARMS_IN_A_RULE
            ? [`the guard combines ${alarms.length} alarms; a composite alarm takes ${MAX_ALARMS_IN_A_RULE}.`]
            : [],
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.nameOf('dashboard'),
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new AlarmStatusOf(() => [this.guard, ...alarms], `${this.service}: the guard and its alarms`),
    );
  }

  /** Every alarm the guard combines. */
  public get alarms(): readonly cloudwatch.IAlarm[] {
    return [...this.alarmList];
  }

  /**
   * Folds in an alarm made elsewhere: it notifies the topic and counts in the guard.
   */
  public addAlarm(alarm: cloudwatch.AlarmBase): void {
    if (this.alarmList.includes(alarm)) return;
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.alarmList.push(alarm);
  }

  /**
   * What a deployment of `fn` rolls back on besides the guard: any error of the version this deployment
   * published, invoked through `live` (the `ExecutedVersion` dimension) — the alias's own error rate
   * would hide a 1 % canary's errors. Not in the guard: a bad version rolls back; it must not block the
   * context's next rollout. It notifies the topic.
   */
  public newVersionErrorsAlarm(fn: ServiceFunction): cloudwatch.Alarm {
    const name = localNameOf(fn);
    const alarm = new cloudwatch.Alarm(this, `${name}NewVersionErrors`, {
      alarmName: this.nameOf(`${name}-new-version-errors`),
      alarmDescription:
        `${name} (${this.service}): the version being rolled out failed an invocation through ` +
        `'${LIVE_ALIAS}'. Its rollout or deployment rolls back (docs/patterns/progressive-delivery.md).`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensionsMap: {
          FunctionName: fn.functionName,
          Resource: `${fn.functionName}:${LIVE_ALIAS}`,
          ExecutedVersion: fn.currentVersion.version,
        },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      // An error in any of the last 10 minutes: the controller reads the alarm after each bake, and an
      // error early in a bake must still hold the alarm then (a bake is 10 minutes by default).
      evaluationPeriods: 10,
      datapointsToAlarm: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    return alarm;
  }

  /**
   * The new-version alarm of a canary-delivered `fn` (`newVersionErrorsAlarm`), and the rollout's inputs
   * as the stack output `<function>Canary`, which the rollout tooling reads.
   */
  public monitorCanary(fn: ServiceFunction): cloudwatch.Alarm {
    if (fn.delivery !== 'canary') {
      throw new Error(`ContextMonitoring: ${fn.node.path} is not delivered by canary (delivery: 'canary').`);
    }
    const name = localNameOf(fn);
    const alarm = this.newVersionErrorsAlarm(fn);
    const stack = Stack.of(this);
    new CfnOutput(stack, `${name}Canary`, {
      description: `The canary rollout of ${name}: the function, its alias and the alarms it rolls back on`,
      value: stack.toJsonString({
        constructPath: fn.node.path,
        functionName: fn.functionName,
        aliasName: LIVE_ALIAS,
        alarmNames: [this.guard.alarmName, alarm.alarmName],
      }),
    });
    return alarm;
  }

  /**
   * A function's error rate (errors over invocations) and throttles, with its errors, throttles and
   * duration on the dashboard.
   */
  public monitorFunction(fn: lambda.IFunction, options: FunctionMonitoringOptions = {}): void {
    const name = localNameOf(fn);
    const rate = options.errorRatePercent ?? this.thresholds.functionErrorRatePercent;
    const minimum = options.minimumInvocations ?? 1;
    checkPercent(`${name} errorRatePercent`, rate);
    const errors = fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES });
    const invocations = fn.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES });
    const alarm = options.inGuard === false ? this.unguardedAlarm.bind(this) : this.alarm.bind(this);
    alarm(`${name}Errors`, `${name}-errors`, {
      alarmDescription:
        `${name} (${this.service}): ${rate} % or more of its invocations failed in 5 minutes` +
        (options.expectedErrors === undefined
          ? '.'
          : `, at least ${minimum} of them. Some errors are expected: ${options.expectedErrors}`),
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(invocations, 0) >= ${minimum}, 100 * FILL(errors, 0) / FILL(invocations, 1), 0)`,
        usingMetrics: { errors, invocations },
        period: FIVE_MINUTES,
        label: `${name} error rate (%)`,
      }),
      threshold: rate,
    });
    const throttles = fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES });
    alarm(`${name}Throttles`, `${name}-throttles`, {
      alarmDescription: `${name} (${this.service}) was throttled: its concurrency, or the account's, ran out.`,
      metric: throttles,
      threshold: options.throttles ?? 1,
    });
    // Labels on the dashboard's lines only: an alarm on a plain metric reads better in the console.
    this.graph('Functions', 'Errors (sum, 5 min)').addLeftMetric(errors.with({ label: name }));
    this.graph('Functions', 'Throttles (sum, 5 min)').addLeftMetric(throttles.with({ label: name }));
    this.graph('Functions', 'Duration p99 (ms)').addLeftMetric(
      fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period: FIVE_MINUTES, label: name }),
    );
  }

  public monitorFunctions(...functions: lambda.IFunction[]): void {
    for (const fn of functions) this.monitorFunction(fn);
  }

  /**
   * A queue work is taken from: an alarm when its oldest message is older than `queueMessageAge` (the
   * consumer fails, or falls behind), its depth and age on the dashboard.
   */
  public monitorWorkQueue(queue: sqs.IQueue, description: string): void {
    const name = localNameOf(queue);
    const age = queue.metricApproximateAgeOfOldestMessage({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: FIVE_MINUTES,
    });
    const limit = this.thresholds.queueMessageAge;
    this.alarm(`${name}Age`, `${name}-oldest-message`, {
      alarmDescription: `${description}: the oldest message has waited ${limit.toHumanString()} or more.`,
      metric: age,
      threshold: limit.toSeconds(),
    });
    this.graph('Queues', 'Messages waiting (max, 5 min)').addLeftMetric(
      queue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: FIVE_MINUTES,
        label: name,
      }),
    );
    this.graph('Queues', 'Age of the oldest message (s)').addLeftMetric(age.with({ label: name }));
  }

  /**
   * A queue that must stay empty (a dead-letter queue, parked sagas): an alarm on its first message, or
   * `alarm` when the queue's construct has one already; its size on the dashboard.
   */
  public monitorDeadLetterQueue(queue: sqs.IQueue, description: string, alarm?: cloudwatch.AlarmBase): void {
    const name = localNameOf(queue);
    this.addAlarm(
      alarm ?? firstMessageAlarm(this, `${name}Alarm`, queue, description, this.nameOf(`${name}-messages`)),
    );
    this.graph('Queues', 'Dead-letter and parked messages (max, 1 min)').addLeftMetric(
      queue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
        label: name,
      }),
    );
  }

  /** An outbox relay: its function, its dead-letter and iterator-age alarms, its lag on the dashboard. */
  public monitorOutboxRelay(relay: OutboxRelay): void {
    this.monitorFunction(relay.function);
    this.monitorDeadLetterQueue(
      relay.deadLetterQueue,
      'Outbox relay batches not published',
      relay.deadLetterAlarm,
    );
    this.addAlarm(relay.iteratorAgeAlarm);
    this.graph('Functions', 'Outbox relay lag (iterator age, ms)').addLeftMetric(
      relay.metricIteratorAge({ label: localNameOf(relay) }),
    );
  }

  /** An event consumer: its function, its queue and its dead-letter queue (and that queue's alarm). */
  public monitorEventConsumer(consumer: EventConsumer): void {
    this.monitorFunction(consumer.function);
    this.monitorWorkQueue(consumer.queue, `Events waiting for ${localNameOf(consumer)}`);
    this.monitorDeadLetterQueue(consumer.deadLetterQueue, 'Events not consumed', consumer.deadLetterAlarm);
  }

  /**
   * A context's routes on a REST API stage (detailed metrics: `ApiName`, `Method`, `Resource`,
   * `Stage`): per route, an alarm on its 5xx rate and one on its p99 latency; latency p50/p99 and 5xx
   * on the dashboard.
   */
  public monitorRoutes(api: ApiMonitoringTarget, methods: readonly apigateway.Method[]): void {
    for (const method of methods) {
      const route = `${method.httpMethod} ${method.resource.path}`;
      this.monitorApi(api, route, {
        Method: method.httpMethod,
        Resource: method.resource.path,
      });
    }
  }

  /**
   * A whole REST API stage (`ApiName`, `Stage`): its 5xx rate and p99 latency alarmed, graphed.
   * @param latencyP99 @default the context's `apiLatencyP99`
   */
  public monitorApiStage(api: ApiMonitoringTarget, latencyP99?: Duration): void {
    this.monitorApi(api, `${api.apiName} ${api.stageName}`, {}, latencyP99);
  }

  /**
   * A state machine's executions by outcome on the dashboard, and an alarm on those that failed or
   * timed out (`failedAlarm` when its construct has one already).
   */
  public monitorStateMachine(stateMachine: sfn.IStateMachine, failedAlarm?: cloudwatch.AlarmBase): void {
    const name = localNameOf(stateMachine);
    const sum = { statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES };
    const failed = stateMachine.metricFailed({ ...sum, label: 'Failed' });
    const timedOut = stateMachine.metricTimedOut({ ...sum, label: 'Timed out' });
    this.addAlarm(
      failedAlarm ??
        this.createAlarm(`${name}Failed`, `${name}-failed`, {
          alarmDescription: `Executions of ${name} (${this.service}) ended FAILED or TIMED_OUT.`,
          metric: new cloudwatch.MathExpression({
            expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
            usingMetrics: { failed, timedOut },
            period: FIVE_MINUTES,
            label: 'Failed or timed-out executions',
          }),
          threshold: 1,
        }),
    );
    this.graph('Workflows', `${name} executions (sum, 5 min)`, 12).addLeftMetric(
      stateMachine.metricStarted({ ...sum, label: 'Started' }),
    );
    const outcomes = this.graph('Workflows', `${name} outcomes (sum, 5 min)`, 12);
    outcomes.addLeftMetric(stateMachine.metricSucceeded({ ...sum, label: 'Succeeded' }));
    outcomes.addLeftMetric(failed);
    outcomes.addLeftMetric(timedOut);
    outcomes.addLeftMetric(stateMachine.metricAborted({ ...sum, label: 'Aborted' }));
  }

  /**
   * An alarm on a circuit breaker opening: the EMF metric `CircuitTransition` with `to = OPEN` that
   * `shared/resilience` publishes (dimensions `service`, `circuit`, `to`).
   */
  public monitorCircuit(circuit: string, description: string): void {
    const opened = this.metricBusiness('CircuitTransition', {
      dimensionsMap: { circuit, to: 'OPEN' },
      period: Duration.minutes(1),
    });
    this.alarm(`Circuit${pascal(circuit)}Open`, `circuit-${circuit}-open`, {
      alarmDescription: `The ${circuit} circuit opened: ${description}`,
      metric: opened,
      threshold: 1,
    });
    const transitions = this.graph('Business', 'Circuit transitions (sum, 1 min)');
    for (const to of ['OPEN', 'HALF_OPEN', 'CLOSED']) {
      transitions.addLeftMetric(this.metricCircuitTransitions(circuit, to));
    }
  }

  /**
   * `CircuitTransition` of one circuit into `to`, from the context's functions.
   * @default sum over 1 minute
   */
  public metricCircuitTransitions(
    circuit: string,
    to: string,
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return this.metricBusiness('CircuitTransition', {
      dimensionsMap: { circuit, to },
      period: Duration.minutes(1),
      label: `${circuit} → ${to}`,
      ...props,
    });
  }

  /**
   * One of the context's business metrics (Powertools EMF, namespace `Shop`, dimension `service`, plus
   * `dimensionsMap`).
   * @default sum over 5 minutes
   */
  public metricBusiness(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.SUM,
      period: FIVE_MINUTES,
      ...props,
      dimensionsMap: { service: this.service, ...props.dimensionsMap },
    });
  }

  /** A graph of business metrics, e.g. `['SettingReads', 'RepairsBlocking']`, by the context's `service`. */
  public addBusinessMetrics(
    title: string,
    metricNames: readonly string[],
    dimensionsMap: Record<string, string> = {},
  ): void {
    const widget = this.graph('Business', title);
    for (const metricName of metricNames) {
      widget.addLeftMetric(this.metricBusiness(metricName, { dimensionsMap, label: metricName }));
    }
  }

  /**
   * A graph of one business metric with a line per value of `dimension` (e.g. cancellations by
   * `reason`), whichever values occur: CloudWatch's `SEARCH` over the context's `service`.
   */
  public addBusinessMetricByDimension(title: string, metricName: string, dimension: string): void {
    this.graph('Business', title).addLeftMetric(
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimension}} MetricName="${metricName}" service="${this.service}"', 'Sum', ${FIVE_MINUTES.toSeconds()})`,
        period: FIVE_MINUTES,
        // An empty label lets each line of the search carry its own dimension's value.
        label: '',
      }),
    );
  }

  private monitorApi(
    api: ApiMonitoringTarget,
    label: string,
    routeDimensions: Record<string, string>,
    latencyP99 = this.thresholds.apiLatencyP99,
  ): void {
    const dimensionsMap = { ApiName: api.apiName, Stage: api.stageName, ...routeDimensions };
    const metric = (metricName: string, statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap,
        statistic,
        period: FIVE_MINUTES,
      });
    const id = pascal(label);
    const slug = kebab(label);
    const errors = metric('5XXError', cloudwatch.Stats.SUM);
    const rate = this.thresholds.apiServerErrorRatePercent;
    const minimum = this.thresholds.apiMinimumRequests;
    this.alarm(`Api${id}ServerErrors`, `api-${slug}-5xx`, {
      alarmDescription: `${label} (${this.service}) answered 5xx to ${rate} % or more of at least ${minimum} requests in 5 minutes.`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(requests, 0) >= ${minimum}, 100 * FILL(errors, 0) / FILL(requests, 1), 0)`,
        usingMetrics: { errors, requests: metric('Count', cloudwatch.Stats.SUM) },
        period: FIVE_MINUTES,
        label: `${label} 5xx rate (%)`,
      }),
      threshold: rate,
    });
    const p99 = metric('Latency', cloudwatch.Stats.p(99));
    this.alarm(
      `Api${id}Latency`,
      `api-${slug}-p99`,
      {
        alarmDescription: `${label} (${this.service}): p99 latency at or above ${latencyP99.toMilliseconds()} ms in 2 of 3 five-minute periods.`,
        metric: p99,
        threshold: latencyP99.toMilliseconds(),
      },
      { evaluationPeriods: 3, datapointsToAlarm: 2 },
    );
    const latency = this.graph('API', 'Latency p50 / p99 (ms)');
    latency.addLeftMetric(metric('Latency', cloudwatch.Stats.p(50)).with({ label: `${label} p50` }));
    latency.addLeftMetric(p99.with({ label: `${label} p99` }));
    this.graph('API', '5xx answers (sum, 5 min)').addLeftMetric(errors.with({ label }));
  }

  /** A new alarm, folded in: at or above `threshold`, no data is not a breach. */
  private alarm(
    id: string,
    name: string,
    props: Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric' | 'threshold'>,
    evaluation: { evaluationPeriods: number; datapointsToAlarm?: number } = { evaluationPeriods: 1 },
  ): void {
    this.addAlarm(this.createAlarm(id, name, props, evaluation));
  }

  /** An alarm that notifies the topic but stays out of the guard. */
  private unguardedAlarm(
    id: string,
    name: string,
    props: Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric' | 'threshold'>,
  ): void {
    this.createAlarm(id, name, props).addAlarmAction(new actions.SnsAction(this.alarmTopic));
  }

  private createAlarm(
    id: string,
    name: string,
    props: Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric' | 'threshold'>,
    evaluation: { evaluationPeriods: number; datapointsToAlarm?: number } = { evaluationPeriods: 1 },
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      ...props,
      ...evaluation,
      alarmName: this.nameOf(name),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** `<prefix>-<service>-<what>`, in the characters alarm names and ARNs take without quoting. */
  private nameOf(what: string): string {
    return `${this.namePrefix}-${this.service}-${kebab(what)}`.slice(0, 255);
  }

  /** The section's graph of that title, made (and placed on the dashboard) on first use. */
  private graph(section: string, title: string, width = 8): cloudwatch.GraphWidget {
    let graphs = this.sections.get(section);
    if (graphs === undefined) {
      graphs = new Map();
      this.sections.set(section, graphs);
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: `## ${section}`, width: 24, height: 1 }),
      );
    }
    let widget = graphs.get(title);
    if (widget === undefined) {
      widget = new cloudwatch.GraphWidget({
        title,
        width,
        height: 6,
        left: [],
        legendPosition: cloudwatch.LegendPosition.BOTTOM,
      });
      graphs.set(title, widget);
      this.dashboard.addWidgets(widget);
    }
    return widget;
  }
}

/**
 * An alarm status widget of alarms known only once the stack is built: the dashboard's body is
 * rendered at synthesis, and so is this widget.
 */
class AlarmStatusOf extends cloudwatch.ConcreteWidget {
  constructor(
    private readonly alarmsNow: () => cloudwatch.IAlarm[],
    private readonly title: string,
  ) {
    super(24, 4);
  }

  public toJson(): unknown[] {
    const widget = new cloudwatch.AlarmStatusWidget({
      title: this.title,
      alarms: this.alarmsNow(),
      width: this.width,
      height: this.height,
    });
    widget.position(this.x ?? 0, this.y ?? 0);
    return widget.toJson();
  }
}

function anyOf(alarms: readonly cloudwatch.IAlarm[]): string {
  // A rule needs an operand: the guard without alarms is refused by the construct's validation.
  if (alarms.length === 0) return 'FALSE';
  return cloudwatch.AlarmRule.anyOf(
    ...alarms.map((alarm) => cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM)),
  ).renderAlarmRule();
}

/** A resource's path in its stack, without separators: `OrderSagaConsumer/Function` → `OrderSagaConsumerFunction`. */
function localNameOf(resource: IConstruct): string {
  const stackPath = Stack.of(resource).node.path;
  return resource.node.path.slice(stackPath.length + 1).replace(/[^A-Za-z0-9]/g, '');
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function kebab(text: string): string {
  return text.replace(/[^A-Za-z0-9_.]+/g, '-').replace(/^-+|-+$/g, '');
}

function checkPercent(name: string, value: number): void {
  if (!(value > 0 && value <= 100)) {
    throw new Error(`ContextMonitoring: ${name} must be a percentage above 0 and at most 100, not ${value}.`);
  }
}

function validThresholds(id: string, thresholds: MonitoringThresholds): Required<MonitoringThresholds> {
  const resolved: Required<MonitoringThresholds> = {
    apiLatencyP99: thresholds.apiLatencyP99 ?? Duration.seconds(3),
    apiServerErrorRatePercent: thresholds.apiServerErrorRatePercent ?? 5,
    apiMinimumRequests: thresholds.apiMinimumRequests ?? 10,
    functionErrorRatePercent: thresholds.functionErrorRatePercent ?? 5,
    queueMessageAge: thresholds.queueMessageAge ?? Duration.minutes(30),
  };
  checkPercent(`${id} apiServerErrorRatePercent`, resolved.apiServerErrorRatePercent);
  checkPercent(`${id} functionErrorRatePercent`, resolved.functionErrorRatePercent);
  if (!Number.isInteger(resolved.apiMinimumRequests) || resolved.apiMinimumRequests < 1) {
    throw new Error(`ContextMonitoring ${id}: apiMinimumRequests must be a positive integer.`);
  }
  if (resolved.apiLatencyP99.toMilliseconds() < 1 || resolved.queueMessageAge.toSeconds() < 60) {
    throw new Error(
      `ContextMonitoring ${id}: apiLatencyP99 must be above 0 and queueMessageAge at least a minute ` +
        '(SQS reports ages by the minute).',
    );
  }
  return resolved;
}
