import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  OPERATIONS_EVENT_SOURCE,
  ROLLOUT_ERRORS,
  ROLLOUT_EVENTS,
  type RolloutOutcome,
} from '../../functions/operations/contracts/rollout';
import type { RollbackReasonCode } from '../../functions/operations/domain/rollout';
import { TRANSIENT_LAMBDA_ERRORS } from './place-order-saga';

export interface CanaryRolloutProps {
  /** The operations context's `rollout-step` function: every Lambda task of the machine invokes it. */
  readonly stepFunction: lambda.IFunction;
  /** Where the rollout's events go (`source` `shop.operations`). */
  readonly bus: events.IEventBus;
  /**
   * How long each step bakes (traffic on the new weight, alarms evaluating) before the next check, when
   * the execution's input gives no `bakeSeconds`. Whole seconds.
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;
  /** How long the approval before leaving 50 % may take; past it the rollout rolls back. @default Duration.hours(24) */
  readonly approvalDeadline?: Duration;
  /**
   * How long a whole execution may run; past it the execution ends `TIMED_OUT`, the alias as it was
   * (the failed-executions alarm says so).
   * @default approvalDeadline + 2 days
   */
  readonly timeout?: Duration;
  /** `TimeoutSeconds` of each Lambda task but the approval. @default Duration.seconds(60) */
  readonly stepTimeout?: Duration;
  /** The first pause before a retry (then doubled, full jitter). @default Duration.seconds(1) */
  readonly retryInterval?: Duration;
  /** The longest pause between two retries. @default Duration.seconds(30) */
  readonly maxRetryDelay?: Duration;
  /** Retries of a task after a transient error. @default 3 */
  readonly maxRetryAttempts?: number;
  /** Retries of the roll-back after any error, before the execution fails `RollbackFailed`. @default 6 */
  readonly rollbackRetryAttempts?: number;
  /** @default - a name CloudFormation generates */
  readonly stateMachineName?: string;
  /**
   * Execution history to CloudWatch Logs.
   * @default every event with execution data (no customer data: versions, weights, alarm names) to a
   * log group of the construct's own, kept a month
   */
  readonly logs?: sfn.LogOptions;
}

/** The `Error` of the `Fail` states an execution can end in. */
export const ROLLOUT_FAILURES = {
  /** `Start` refused the request (`InvalidRollout`) or could not read the alias: nothing was written. */
  notStarted: 'RolloutNotStarted',
  /** The alias changed under the controller: it stopped, touching nothing. */
  drifted: 'RolloutDrifted',
  /** The roll-back kept failing: the alias may still send traffic to the new version. */
  rollbackFailed: 'RollbackFailed',
} as const;

/**
 * A canary rollout of a Lambda alias in steps (1 → 5 → 10 → 50 → 100 % by default), a STANDARD state
 * machine that moves the alias's weights itself — CodeDeploy's Lambda configurations shift in two steps,
 * in equal steps or all at once.
 *
 * Input: `{ functionName, aliasName, targetVersion, alarmNames, bakeSeconds?, steps?,
 * approvalAfterPercent? }`; the execution's name is the rollout's id. `Start` reads the alias and checks
 * the request; then, in a loop, `Evaluate` reads the alias (with its revision) and the alarms and asks
 * the domain (`functions/operations/domain/rollout.ts`) what to do: `Shift` writes the next weight under
 * the revision read, `DeploymentStepCompleted` goes on the bus, `Bake` waits, and round again. Before
 * the first step above `approvalAfterPercent` (50) it waits for a person (`WaitForApproval`,
 * `.waitForTaskToken`, `approvalDeadline`): approved, it evaluates again and goes on; aborted or past the
 * deadline, it rolls back. An alarm in `ALARM` (or missing) rolls back: the alias back to the original
 * version alone, `DeploymentRolledBack`. An alias changed under the controller stops it with
 * `DeploymentDrifted` and touches nothing. Promoted and quiet through the last bake:
 * `DeploymentSucceeded`.
 *
 * Every Lambda task retries transient errors with backoff and full jitter, as the PlaceOrder saga's do;
 * the roll-back retries any error. See docs/patterns/progressive-delivery.md.
 */
export class CanaryRollout extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    const settings = resolveSettings(id, props);

    const retry = (errors: readonly string[], maxAttempts: number): sfn.RetryProps => ({
      errors: [...errors],
      interval: settings.retryInterval,
      maxAttempts,
      backoffRate: 2,
      maxDelay: settings.maxRetryDelay,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const transientRetry = (extra: readonly string[]): sfn.RetryProps =>
      retry([...TRANSIENT_LAMBDA_ERRORS, ...extra], settings.maxRetryAttempts);
    const step = (
      stateId: string,
      payload: Record<string, unknown>,
      resultPath: string,
      comment: string,
    ): tasks.LambdaInvoke => {
      const task = tasks.LambdaInvoke.jsonPath(this, stateId, {
        comment,
        lambdaFunction: props.stepFunction,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
        taskTimeout: sfn.Timeout.duration(settings.stepTimeout),
      });
      return task;
    };
    const rollout = sfn.JsonPath.objectAt('$.rollout');
    const emit = (
      stateId: string,
      detailType: string,
      extra: Record<string, unknown>,
    ): tasks.EventBridgePutEvents => {
      const task = tasks.EventBridgePutEvents.jsonPath(this, stateId, {
        entries: [
          {
            eventBus: props.bus,
            source: OPERATIONS_EVENT_SOURCE,
            detailType,
            detail: sfn.TaskInput.fromObject({
              rolloutId: sfn.JsonPath.stringAt('$.rollout.rolloutId'),
              functionName: sfn.JsonPath.stringAt('$.rollout.functionName'),
              aliasName: sfn.JsonPath.stringAt('$.rollout.aliasName'),
              originalVersion: sfn.JsonPath.stringAt('$.rollout.originalVersion'),
              targetVersion: sfn.JsonPath.stringAt('$.rollout.targetVersion'),
              step: sfn.JsonPath.numberAt('$.rollout.step'),
              steps: sfn.JsonPath.listAt('$.rollout.steps'),
              weight: sfn.JsonPath.numberAt('$.rollout.weight'),
              occurredAt: sfn.JsonPath.stringAt('$$.State.EnteredTime'),
              executionArn: sfn.JsonPath.executionId,
              ...extra,
            }),
          },
        ],
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(settings.stepTimeout),
      });
      task.addRetry(retry([sfn.Errors.ALL], settings.maxRetryAttempts));
      return task;
    };
    /** The execution's output: the rollout's outcome and where it left the alias. */
    const outcome = (stateId: string, value: RolloutOutcome, extra: Record<string, unknown> = {}): sfn.Pass =>
      sfn.Pass.jsonPath(this, stateId, {
        parameters: {
          rolloutId: sfn.JsonPath.stringAt('$.rollout.rolloutId'),
          outcome: value,
          functionName: sfn.JsonPath.stringAt('$.rollout.functionName'),
          aliasName: sfn.JsonPath.stringAt('$.rollout.aliasName'),
          originalVersion: sfn.JsonPath.stringAt('$.rollout.originalVersion'),
          targetVersion: sfn.JsonPath.stringAt('$.rollout.targetVersion'),
          step: sfn.JsonPath.numberAt('$.rollout.step'),
          weight: sfn.JsonPath.numberAt('$.rollout.weight'),
          ...extra,
        },
      });

    // ---- The end: rolled back, drifted, or failed to roll back -------------------------------------
    const drifted = emit('EmitDeploymentDrifted', ROLLOUT_EVENTS.drifted, {
      outcome: 'DRIFTED' satisfies RolloutOutcome,
      expected: sfn.JsonPath.objectAt('$.rollout.expected'),
      detail: sfn.JsonPath.stringAt('$.rollback.detail'),
    }).next(
      sfn.Fail.jsonPath(this, ROLLOUT_FAILURES.drifted, {
        error: ROLLOUT_FAILURES.drifted,
        cause:
          'The alias is not what the rollout last wrote: someone changed it. The rollout stopped and left ' +
          'it as it is; a person decides (docs/patterns/progressive-delivery.md).',
      }),
    );
    const rolledBack = emit('EmitDeploymentRolledBack', ROLLOUT_EVENTS.rolledBack, {
      outcome: 'ROLLED_BACK' satisfies RolloutOutcome,
      reason: sfn.JsonPath.objectAt('$.rollbackReason'),
    }).next(
      outcome('RolloutRolledBack', 'ROLLED_BACK', { reason: sfn.JsonPath.objectAt('$.rollbackReason') }),
    );
    const rollBack = step(
      'RollBack',
      { step: 'roll-back', rollout, reason: sfn.JsonPath.objectAt('$.rollbackReason') },
      '$.rollback',
      'The alias back on the original version alone, unless it drifted.',
    );
    // The roll-back reads before it writes, and writes under the revision read: any error may be retried.
    rollBack.addRetry(retry([sfn.Errors.ALL], settings.rollbackRetryAttempts));
    rollBack.addCatch(
      sfn.Fail.jsonPath(this, ROLLOUT_FAILURES.rollbackFailed, {
        error: ROLLOUT_FAILURES.rollbackFailed,
        cause: 'The roll-back kept failing: the alias may still route traffic to the new version.',
      }),
      { errors: [sfn.Errors.ALL], resultPath: '$.rollbackError' },
    );
    rollBack.next(
      sfn.Choice.jsonPath(this, 'RolledBackOrDrifted')
        .when(sfn.Condition.stringEquals('$.rollback.outcome', 'DRIFTED'), drifted)
        .otherwise(rolledBack),
    );
    /** A Pass that records why the rollout rolls back (`$.rollbackReason`) and enters the roll-back. */
    const rollBackFor = (
      stateId: string,
      code: RollbackReasonCode,
      detailPath: string | undefined,
      detail?: string,
    ): sfn.Pass => {
      const pass = sfn.Pass.jsonPath(this, stateId, {
        parameters: {
          code,
          ...(detailPath === undefined ? { detail } : { detail: sfn.JsonPath.stringAt(detailPath) }),
        },
        resultPath: '$.rollbackReason',
      });
      pass.next(rollBack);
      return pass;
    };

    // ---- The loop -----------------------------------------------------------------------------------
    const evaluate = step(
      'Evaluate',
      { step: 'evaluate', rollout },
      '$.evaluation',
      'Reads the alias and the alarms; decides: shift, promote, await approval, roll back, succeeded or drifted.',
    );
    evaluate.addRetry(transientRetry(['States.Timeout']));
    evaluate.addCatch(rollBackFor('EvaluateFailed', 'STEP_FAILED', '$.rollbackReason.Error'), {
      errors: [sfn.Errors.ALL],
      resultPath: '$.rollbackReason',
    });

    const shift = step(
      'Shift',
      {
        step: 'shift',
        rollout,
        decision: sfn.JsonPath.objectAt('$.evaluation.decision'),
        revisionId: sfn.JsonPath.stringAt('$.evaluation.revisionId'),
      },
      '$.rollout',
      'Writes the next weight, under the revision Evaluate read.',
    );
    shift.addRetry(transientRetry(['States.Timeout']));
    shift.addCatch(
      sfn.Pass.jsonPath(this, 'ShiftFoundDrift', {
        comment: 'The alias changed between Evaluate and Shift, and not to what Shift meant to write.',
        parameters: { outcome: 'DRIFTED', detail: sfn.JsonPath.stringAt('$.rollback.Cause') },
        resultPath: '$.rollback',
      }).next(drifted),
      { errors: [ROLLOUT_ERRORS.aliasDrifted], resultPath: '$.rollback' },
    );
    shift.addCatch(rollBackFor('ShiftFailed', 'STEP_FAILED', '$.rollbackReason.Error'), {
      errors: [sfn.Errors.ALL],
      resultPath: '$.rollbackReason',
    });
    const bake = sfn.Wait.jsonPath(this, 'Bake', {
      comment: 'The new weight takes traffic while the alarms evaluate it.',
      time: sfn.WaitTime.secondsPath('$.rollout.bakeSeconds'),
    });
    shift.next(emit('EmitDeploymentStepCompleted', ROLLOUT_EVENTS.stepCompleted, {})).next(bake);
    bake.next(evaluate);

    const waitForApproval = tasks.LambdaInvoke.jsonPath(this, 'WaitForApproval', {
      comment:
        'A person approves (POST /deployments/{rolloutId}/approval) before the target takes more than approvalAfterPercent.',
      lambdaFunction: props.stepFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        step: 'request-approval',
        rollout,
        taskToken: sfn.JsonPath.taskToken,
      }),
      retryOnServiceExceptions: false,
      resultPath: '$.approval',
      taskTimeout: sfn.Timeout.duration(settings.approvalDeadline),
    });
    // Only the invocation is retried: States.Timeout here is the deadline.
    waitForApproval.addRetry(transientRetry([]));
    waitForApproval.addCatch(rollBackFor('ApprovalAborted', 'APPROVAL_ABORTED', '$.rollbackReason.Cause'), {
      errors: [ROLLOUT_ERRORS.aborted],
      resultPath: '$.rollbackReason',
    });
    waitForApproval.addCatch(
      rollBackFor(
        'ApprovalTimedOut',
        'APPROVAL_TIMED_OUT',
        undefined,
        `No decision within the approval deadline (${settings.approvalDeadline.toHumanString()}).`,
      ),
      { errors: ['States.Timeout'], resultPath: '$.rollbackReason' },
    );
    waitForApproval.addCatch(rollBackFor('ApprovalFailed', 'STEP_FAILED', '$.rollbackReason.Error'), {
      errors: [sfn.Errors.ALL],
      resultPath: '$.rollbackReason',
    });
    waitForApproval.next(
      sfn.Pass.jsonPath(this, 'Approved', {
        comment: 'Approved: evaluate again (the alarms may have fired during the wait), then go on.',
        result: sfn.Result.fromBoolean(true),
        resultPath: '$.rollout.approved',
      }).next(evaluate),
    );

    const succeeded = emit('EmitDeploymentSucceeded', ROLLOUT_EVENTS.succeeded, {
      outcome: 'SUCCEEDED' satisfies RolloutOutcome,
    }).next(outcome('RolloutSucceeded', 'SUCCEEDED'));
    const action = (value: string): sfn.Condition =>
      sfn.Condition.stringEquals('$.evaluation.decision.action', value);
    evaluate.next(
      sfn.Choice.jsonPath(this, 'NextAction')
        .when(sfn.Condition.or(action('shift'), action('promote')), shift)
        .when(action('await-approval'), waitForApproval)
        .when(
          action('roll-back'),
          sfn.Pass.jsonPath(this, 'AlarmFired', {
            comment: 'An alarm fired (or is missing): roll back.',
            inputPath: '$.evaluation.decision.reason',
            resultPath: '$.rollbackReason',
          }).next(rollBack),
        )
        .when(
          action('drifted'),
          sfn.Pass.jsonPath(this, 'EvaluateFoundDrift', {
            parameters: { outcome: 'DRIFTED', detail: sfn.JsonPath.stringAt('$.evaluation.decision.detail') },
            resultPath: '$.rollback',
          }).next(drifted),
        )
        .when(action('succeeded'), succeeded)
        .otherwise(
          sfn.Fail.jsonPath(this, 'UnknownAction', {
            error: 'UnknownAction',
            cause: 'Evaluate answered an action this state machine does not know.',
          }),
        ),
    );

    // ---- The start ----------------------------------------------------------------------------------
    const start = step(
      'Start',
      {
        step: 'start',
        rolloutId: sfn.JsonPath.stringAt('$$.Execution.Name'),
        request: sfn.JsonPath.entirePayload,
        defaults: { bakeSeconds: settings.bakeTime.toSeconds() },
      },
      '$.rollout',
      'Reads the alias, checks the request against it and records the rollout.',
    );
    start.addRetry(transientRetry(['States.Timeout']));
    start.addCatch(
      sfn.Fail.jsonPath(this, ROLLOUT_FAILURES.notStarted, {
        error: ROLLOUT_FAILURES.notStarted,
        cause: 'The rollout was refused (InvalidRollout) or could not read its alias; nothing was written.',
      }),
      { errors: [sfn.Errors.ALL] },
    );
    start.next(evaluate);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      timeout: settings.timeout,
      tracingEnabled: true,
      logs: props.logs ?? {
        destination: new logs.LogGroup(this, 'ExecutionLogs', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
      comment: 'Canary rollout of a Lambda alias: shift, bake, check the alarms; approve at 50 %; roll back.',
    });
  }

  /** Lets `grantee` answer the approval (`states:SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`). */
  public grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Lets `grantee` start rollouts. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Rollouts that ended `FAILED`: refused, drifted, or a roll-back that kept failing. @default sum over 5 minutes */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }
}

interface RolloutSettings {
  readonly bakeTime: Duration;
  readonly approvalDeadline: Duration;
  readonly timeout: Duration;
  readonly stepTimeout: Duration;
  readonly retryInterval: Duration;
  readonly maxRetryDelay: Duration;
  readonly maxRetryAttempts: number;
  readonly rollbackRetryAttempts: number;
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

function resolveSettings(id: string, props: CanaryRolloutProps): RolloutSettings {
  const fail = (message: string): never => {
    throw new Error(`CanaryRollout ${id}: ${message}`);
  };
  const seconds = (name: string, value: Duration, min: number, max: number): Duration => {
    if (value.isUnresolved()) return value;
    const count = value.toSeconds({ integral: false });
    if (!Number.isInteger(count) || count < min || count > max) {
      fail(`${name} must be a whole number of seconds from ${min} to ${max}, not ${count}.`);
    }
    return value;
  };
  const attempts = (name: string, value: number): number => {
    if (!Number.isInteger(value) || value < 0 || value > 99_999_999) {
      fail(`${name} must be an integer from 0 to 99999999, not ${value}.`);
    }
    return value;
  };
  const approvalDeadline = seconds(
    'approvalDeadline',
    props.approvalDeadline ?? Duration.hours(24),
    1,
    ONE_YEAR_SECONDS - 1,
  );
  const timeout = seconds(
    'timeout',
    props.timeout ?? approvalDeadline.plus(Duration.days(2)),
    1,
    ONE_YEAR_SECONDS,
  );
  if (timeout.toSeconds() <= approvalDeadline.toSeconds()) {
    fail(
      `timeout (${timeout.toHumanString()}) must be longer than approvalDeadline (${approvalDeadline.toHumanString()}), ` +
        'or a rollout waiting for its approval would end without rolling back.',
    );
  }
  const retryInterval = seconds('retryInterval', props.retryInterval ?? Duration.seconds(1), 1, 31_622_400);
  const maxRetryDelay = seconds('maxRetryDelay', props.maxRetryDelay ?? Duration.seconds(30), 1, 31_622_400);
  if (maxRetryDelay.toSeconds() < retryInterval.toSeconds()) {
    fail(`maxRetryDelay must be at least retryInterval.`);
  }
  return {
    bakeTime: seconds('bakeTime', props.bakeTime ?? Duration.minutes(10), 0, 86_400),
    approvalDeadline,
    timeout,
    stepTimeout: seconds('stepTimeout', props.stepTimeout ?? Duration.seconds(60), 1, 24 * 3600),
    retryInterval,
    maxRetryDelay,
    maxRetryAttempts: attempts('maxRetryAttempts', props.maxRetryAttempts ?? 3),
    rollbackRetryAttempts: attempts('rollbackRetryAttempts', props.rollbackRetryAttempts ?? 6),
  };
}
