import { Annotations, type IAspect, Reference, Tokenization } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** Why each exempt construct (and everything under it) goes without an alarm. */
const exemptions = new WeakMap<IConstruct, string>();

/** What the app's alarms watch, found once per app. */
interface Watched {
  /** Resources an alarm's metric names through a token (`fn.functionName`, `queue.queueName`…). */
  readonly resources: Set<IConstruct>;
  /** `namespace|dimension|value` of the dimensions given as plain strings. */
  readonly literals: Set<string>;
}

const watchedByApp = new WeakMap<IConstruct, Watched>();

/**
 * "No deploy without monitoring": an error (which fails `cdk synth` and `cdk deploy`) on every Lambda
 * function, SQS queue, API Gateway REST API stage and Step Functions state machine of the app that no
 * CloudWatch alarm watches.
 *
 * An alarm watches a resource when one of its metrics (or of its math expression's metrics) names the
 * resource in a dimension: `FunctionName`, `QueueName` or `StateMachineArn` through the resource's own
 * token, as `metricErrors()`, `metricApproximateNumberOfMessagesVisible()` and `metricFailed()` give it,
 * or as the plain name the resource was given; a stage by its API's name (`ApiName`) and its `Stage`
 * (any route's metrics will do). Only alarms built with `cloudwatch.Alarm` count. A resource that is
 * deliberately unwatched says why with `MonitoringRequired.exempt(scope, reason)`.
 */
export class MonitoringRequired implements IAspect {
  /** Lets `scope`, and every resource under it, go without an alarm, for `reason` (shown nowhere else). */
  public static exempt(scope: IConstruct, reason: string): void {
    if (reason.trim().length < 20) {
      throw new Error(
        `MonitoringRequired.exempt(${scope.node.path}): say why the resource needs no alarm, in a sentence.`,
      );
    }
    exemptions.set(scope, reason);
  }

  /** Why `node` goes without an alarm, if it or a scope of it is exempt. */
  public static exemptionOf(node: IConstruct): string | undefined {
    for (const scope of [...node.node.scopes].reverse()) {
      const reason = exemptions.get(scope);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }

  public visit(node: IConstruct): void {
    const kind = monitoredKind(node);
    if (kind === undefined || MonitoringRequired.exemptionOf(node) !== undefined) return;
    if (isWatched(node, watchedIn(node.node.root))) return;
    Annotations.of(node).addError(
      `${kind} ${node.node.path} has no alarm on any of its metrics. Monitor it with the context's ` +
        'ContextMonitoring (monitorFunction, monitorWorkQueue, monitorDeadLetterQueue, monitorRoutes, ' +
        'monitorStateMachine), or say why it needs none: MonitoringRequired.exempt(scope, reason). ' +
        'See docs/patterns/monitoring.md.',
    );
  }
}

function monitoredKind(node: IConstruct): string | undefined {
  if (node instanceof lambda.CfnFunction) return 'Lambda function';
  if (node instanceof sqs.CfnQueue) return 'SQS queue';
  if (node instanceof apigateway.CfnStage) return 'API Gateway stage';
  if (node instanceof sfn.CfnStateMachine) return 'Step Functions state machine';
  return undefined;
}

function isWatched(node: IConstruct, watched: Watched): boolean {
  if (watched.resources.has(node)) return true;
  if (node instanceof lambda.CfnFunction) {
    return literal(node.functionName, (name) => watched.literals.has(`AWS/Lambda|FunctionName|${name}`));
  }
  if (node instanceof sqs.CfnQueue) {
    return literal(node.queueName, (name) => watched.literals.has(`AWS/SQS|QueueName|${name}`));
  }
  if (node instanceof apigateway.CfnStage) {
    const api = targetOf(node.restApiId);
    const apiName = api instanceof apigateway.CfnRestApi ? api.name : undefined;
    return (
      apiName !== undefined &&
      node.stageName !== undefined &&
      watched.literals.has(`AWS/ApiGateway|ApiName+Stage|${apiName}|${node.stageName}`)
    );
  }
  return false;
}

function literal(value: string | undefined, test: (name: string) => boolean): boolean {
  return (
    value !== undefined && !Tokenization.isResolvable(value) && !value.includes('${Token') && test(value)
  );
}

/** The construct a token refers to (`Ref`, `Fn::GetAtt`), if the value is exactly one such token. */
function targetOf(value: unknown): IConstruct | undefined {
  if (typeof value !== 'string') return undefined;
  const token = Tokenization.reverse(value, { failConcat: false });
  return token instanceof Reference ? token.target : undefined;
}

function watchedIn(root: IConstruct): Watched {
  let watched = watchedByApp.get(root);
  if (watched === undefined) {
    watched = { resources: new Set(), literals: new Set() };
    for (const construct of root.node.findAll()) {
      if (construct instanceof cloudwatch.Alarm) collect(construct.metric, watched);
    }
    watchedByApp.set(root, watched);
  }
  return watched;
}

function collect(metric: cloudwatch.IMetric, watched: Watched): void {
  if (metric instanceof cloudwatch.MathExpression) {
    for (const used of Object.values(metric.usingMetrics)) collect(used, watched);
    return;
  }
  if (!(metric instanceof cloudwatch.Metric)) return;
  const dimensions = metric.dimensions ?? {};
  for (const [name, value] of Object.entries(dimensions)) {
    const target = targetOf(value);
    if (target !== undefined) watched.resources.add(target);
    else if (typeof value === 'string') watched.literals.add(`${metric.namespace}|${name}|${value}`);
  }
  const apiName = dimensions['ApiName'];
  const stage = dimensions['Stage'];
  if (metric.namespace === 'AWS/ApiGateway' && typeof apiName === 'string' && typeof stage === 'string') {
    watched.literals.add(`AWS/ApiGateway|ApiName+Stage|${apiName}|${stage}`);
  }
}
