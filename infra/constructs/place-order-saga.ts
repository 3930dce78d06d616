import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STOCK_STEP_ERRORS } from '../../functions/inventory/contracts/stock-steps';
import {
  ORDER_SAGA_ERRORS,
  type SagaCancellationReason,
} from '../../functions/orders/contracts/place-order-saga';
import { PAYMENT_STEP_ERRORS } from '../../functions/payments/contracts/payment-steps';
import { DeadLetterQueue } from './dead-letter-queue';

/** The functions the saga's steps and compensations invoke. */
export interface PlaceOrderSagaSteps {
  readonly reserveStock: lambda.IFunction;
  readonly releaseStock: lambda.IFunction;
  readonly commitStock: lambda.IFunction;
  readonly chargePayment: lambda.IFunction;
  readonly refundPayment: lambda.IFunction;
  readonly requestApproval: lambda.IFunction;
  readonly ensureOrderActive: lambda.IFunction;
  readonly confirmOrder: lambda.IFunction;
  readonly cancelOrder: lambda.IFunction;
}

export interface PlaceOrderSagaProps {
  readonly steps: PlaceOrderSagaSteps;
  /** Orders whose total is at least this many minor units wait for a human approval. @default 100000 */
  readonly approvalThresholdCents?: number;
  /** How long an approval may take before the saga compensates with `APPROVAL_TIMEOUT`. @default Duration.hours(24) */
  readonly approvalDeadline?: Duration;
  /**
   * How long in all an order whose charge meets an unavailable card processor (failing, or behind its
   * open circuit) waits for it before the saga cancels it with `PAYMENT_UNAVAILABLE`: at least this
   * long, at most twice as long (the pauses are jittered). Longer than the processor circuit's reset
   * timeout, so a short outage costs a wait, not an order.
   * @default Duration.minutes(15)
   */
  readonly paymentWaitBudget?: Duration;
  /**
   * The longest pause of a waiting order between two charges, each drawn between half of it and all
   * of it (whole seconds): about the circuit's reset timeout, so that waiting orders bring it probes
   * without crowding a processor that comes back.
   * @default Duration.seconds(30)
   */
  readonly paymentWaitInterval?: Duration;
  /** @default - a name CloudFormation generates */
  readonly stateMachineName?: string;
  /**
   * How long a whole execution may run; past it the execution ends `TIMED_OUT` without compensating,
   * so it must be longer than `approvalDeadline` plus the longest payment wait (twice
   * `paymentWaitBudget`) plus the other steps with their retries.
   * @default approvalDeadline + 2 × paymentWaitBudget + 1 hour
   */
  readonly timeout?: Duration;
  /** `TimeoutSeconds` of every step and compensation but `ChargePayment` and `WaitForApproval`. @default Duration.seconds(30) */
  readonly stepTimeout?: Duration;
  /**
   * `TimeoutSeconds` of `ChargePayment`: longer than the charge function's own timeout, so its
   * provider timeouts and retries end inside it.
   * @default Duration.seconds(60)
   */
  readonly chargeTimeout?: Duration;
  /** The first pause before a retry, in whole seconds (then doubled, with full jitter). @default Duration.seconds(1) */
  readonly retryInterval?: Duration;
  /** The longest pause between two retries, in whole seconds. @default Duration.seconds(30) */
  readonly maxRetryDelay?: Duration;
  /** Retries of a step after a transient error (0 to 99,999,999). @default 3 */
  readonly maxRetryAttempts?: number;
  /** Retries of a compensation (or of parking) after any error, before the saga is parked (0 to 99,999,999). @default 6 */
  readonly compensationRetryAttempts?: number;
  /**
   * Execution history to CloudWatch Logs.
   * @default every event (`ALL`) without execution data — states' inputs and outputs carry the
   * customer's payment method — to a log group of the construct's own, kept a month
   */
  readonly logs?: sfn.LogOptions;
}

/** Why the saga cancelled the order: the `reason` `cancel-order-saga` records (the orders contract's). */
type OrderCancellationReason = Exclude<SagaCancellationReason, 'SAGA_TIMED_OUT'>;

/**
 * Errors that say the call may not have reached the function, or its answer was lost: retried with
 * backoff and full jitter. (`States.Timeout` is added for ordinary steps, not for the approval, where
 * it is the deadline.)
 */
export const TRANSIENT_LAMBDA_ERRORS: readonly string[] = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  // The function ran out of time: every step is idempotent, so running it again is safe.
  'Sandbox.Timedout',
  // A step lost its optimistic-locking races for longer than its own retry budget (a hot product):
  // nothing was written, and a later attempt finds the item quieter.
  'ConcurrencyError',
];

/** Business outcomes the steps throw (their `error.name`, from the steps' contracts): answers, never retried. */
export const BUSINESS_ERRORS: readonly string[] = [
  STOCK_STEP_ERRORS.outOfStock,
  ORDER_SAGA_ERRORS.approvalRejected,
  ORDER_SAGA_ERRORS.orderCancelled,
  PAYMENT_STEP_ERRORS.declined,
  ORDER_SAGA_ERRORS.orderNotConfirmable,
  STOCK_STEP_ERRORS.reservationNotFound,
  'ConditionalCheckFailed',
  ORDER_SAGA_ERRORS.invalidInput,
  ORDER_SAGA_ERRORS.orderNotCancellable,
];

/** The `Error` of the `Fail` state an execution ends in when a compensation failed for good. */
export const SAGA_PARKED_ERROR = 'SagaParked';

/**
 * The orchestrated PlaceOrder saga: a STANDARD state machine (X-Ray tracing on) that reserves stock,
 * waits for a human approval above a threshold, makes sure the customer has not cancelled, charges the
 * payment, commits the stock and confirms the order.
 *
 * Every failure is classified. Transient errors (Lambda service errors, task timeouts) are retried
 * with exponential backoff and full jitter; business outcomes never are. A charge that meets an
 * unavailable card processor (`PaymentProviderUnavailable`: failing, or its circuit open) waits for it
 * — `WaitForPaymentProvider`, jittered pauses, the same idempotent charge again — for the order's
 * payment wait budget, and only then compensates with `PAYMENT_UNAVAILABLE`. A failure that stays is
 * caught, its cancellation reason written to `$.compensation` (`{ reason, failedStep, error,
 * chargeMayExist }`), and the saga enters one shared compensation chain: `CancelOrder` first — the one
 * compensation that can refuse, so nothing is undone for an order that must stand — then `RefundPayment`
 * once a charge may exist, then `ReleaseStock`. A compensated execution ends `SUCCEEDED` in
 * `OrderCancelled`; the happy path in `OrderPlaced`; a `CancelOrder` that finds the order paid (its
 * confirmation's answer was lost) in `OrderAlreadyPaid`, having undone nothing.
 *
 * Compensations are idempotent and retried on any error; one that still fails parks the saga: a
 * message on `parkedSagasQueue` (`{ executionArn, orderId, failedStep, error, cause, compensation }`,
 * alarmed on) and the execution ends `FAILED` with `SagaParked`. A new execution whose input adds
 * `redrive: { resumeAt: <failedStep>, compensation }` skips the forward steps and resumes the chain
 * there (`IsRedrive` → `RestoreCompensation` → `ResumeCompensation`). See
 * docs/patterns/saga-orchestration.md.
 */
export class PlaceOrderSaga extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly parkedSagasQueue: sqs.Queue;
  /** Any message on the parked-sagas queue: an order is half compensated and needs a person. */
  public readonly parkedSagasAlarm: cloudwatch.Alarm;
  /** Executions that ended `FAILED` or `TIMED_OUT`: parked sagas, and anything that could not even park. */
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PlaceOrderSagaProps) {
    super(scope, id);
    const settings = resolveSettings(id, props);
    const { steps } = props;

    this.parkedSagasQueue = new DeadLetterQueue(this, 'ParkedSagas');

    const transientRetry = (extraErrors: readonly string[]): sfn.RetryProps => ({
      errors: [...TRANSIENT_LAMBDA_ERRORS, ...extraErrors],
      interval: settings.retryInterval,
      maxAttempts: settings.maxRetryAttempts,
      backoffRate: 2,
      maxDelay: settings.maxRetryDelay,
      jitterStrategy: sfn.JitterType.FULL,
    });
    // Compensations are idempotent: every error may be retried, a task timeout included.
    const compensationRetry: sfn.RetryProps = {
      errors: [sfn.Errors.ALL],
      interval: settings.retryInterval,
      maxAttempts: settings.compensationRetryAttempts,
      backoffRate: 2,
      maxDelay: settings.maxRetryDelay,
      jitterStrategy: sfn.JitterType.FULL,
    };
    const invoke = (
      stateId: string,
      fn: lambda.IFunction,
      payload: Record<string, unknown>,
      resultPath: string,
      taskTimeout: Duration,
    ): tasks.LambdaInvoke =>
      tasks.LambdaInvoke.jsonPath(this, stateId, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        // The state's own retriers classify errors; no blanket retry of service errors.
        retryOnServiceExceptions: false,
        resultPath,
        taskTimeout: sfn.Timeout.duration(taskTimeout),
      });
    const orderId = sfn.JsonPath.stringAt('$.orderId');
    const correlationId = sfn.JsonPath.stringAt('$.correlationId');
    // The customer: payments records whose payment it is, and shows it to them alone.
    const userId = sfn.JsonPath.stringAt('$.userId');
    const items = sfn.JsonPath.listAt('$.items');

    // ---- Compensations, built once ------------------------------------------------------------------
    // Whoever took the money gives it back: the card processor, or the accounts context.
    const paymentMethod = sfn.JsonPath.stringAt('$.payment.method');
    const refundPayment = invoke(
      'RefundPayment',
      steps.refundPayment,
      { orderId, userId, method: paymentMethod, correlationId },
      '$.refund',
      settings.stepTimeout,
    );
    const releaseStock = invoke(
      'ReleaseStock',
      steps.releaseStock,
      { orderId, items, correlationId },
      '$.release',
      settings.stepTimeout,
    );
    const cancelOrder = invoke(
      'CancelOrder',
      steps.cancelOrder,
      { orderId, reason: sfn.JsonPath.stringAt('$.compensation.reason'), correlationId },
      '$.cancellation',
      settings.stepTimeout,
    );
    const parkSaga = tasks.SqsSendMessage.jsonPath(this, 'ParkSaga', {
      queue: this.parkedSagasQueue,
      messageBody: sfn.TaskInput.fromObject({
        executionArn: sfn.JsonPath.executionId,
        orderId,
        failedStep: sfn.JsonPath.stringAt('$.parking.failedStep'),
        error: sfn.JsonPath.stringAt('$.parking.error'),
        cause: sfn.JsonPath.stringAt('$.parking.cause'),
        compensation: sfn.JsonPath.objectAt('$.compensation'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(settings.stepTimeout),
    });
    parkSaga.addRetry(compensationRetry);
    parkSaga.next(
      sfn.Fail.jsonPath(this, 'SagaParked', {
        error: SAGA_PARKED_ERROR,
        cause: 'A compensation failed after its retries; the saga is on the parked-sagas queue.',
      }),
    );
    // The one business answer of a compensation: the order is paid (a confirmation whose answer was
    // lost), so it must not be cancelled — nor refunded, nor its stock released. CancelOrder comes first,
    // so nothing was undone yet: the order stands as placed. Retrying cannot change the answer.
    cancelOrder.addRetry({ errors: [ORDER_SAGA_ERRORS.orderNotCancellable], maxAttempts: 0 });
    cancelOrder.addCatch(
      sfn.Succeed.jsonPath(this, 'OrderAlreadyPaid', {
        comment: 'CancelOrder found the order paid: nothing was undone, the order stands as placed.',
      }),
      { errors: [ORDER_SAGA_ERRORS.orderNotCancellable], resultPath: '$.cancellation' },
    );
    for (const compensation of [cancelOrder, refundPayment, releaseStock]) {
      const failedStep = compensation.stateId;
      compensation.addRetry(compensationRetry);
      compensation.addCatch(
        sfn.Pass.jsonPath(this, `${failedStep}Failed`, {
          comment: `${failedStep} failed after its retries: park the saga.`,
          parameters: {
            failedStep,
            error: sfn.JsonPath.stringAt('$.parking.Error'),
            cause: sfn.JsonPath.stringAt('$.parking.Cause'),
          },
          resultPath: '$.parking',
        }).next(parkSaga),
        { errors: [sfn.Errors.ALL], resultPath: '$.parking' },
      );
    }
    // A compensation record without `chargeMayExist` (a parked saga of an earlier version) refunds:
    // a refund of nothing is a no-op, a charge kept by mistake is not.
    cancelOrder.next(
      sfn.Choice.jsonPath(this, 'ChargeMayExist', {
        comment: 'Refund once the saga may have charged; before the charge, only the stock is released.',
      })
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent('$.compensation.chargeMayExist'),
            sfn.Condition.booleanEquals('$.compensation.chargeMayExist', false),
          ),
          releaseStock,
        )
        .otherwise(refundPayment),
    );
    refundPayment.next(releaseStock);
    releaseStock.next(sfn.Succeed.jsonPath(this, 'OrderCancelled'));

    /**
     * Catches `errors` of `step`, records why in `$.compensation` — and whether a charge may exist, so
     * the chain refunds — and enters the compensation chain. The Catch puts `{ Error, Cause }` at
     * `$.compensation`; the Pass state wraps it.
     */
    const compensate = (
      step: tasks.LambdaInvoke,
      outcome: string,
      errors: readonly string[],
      reason: OrderCancellationReason,
      chargeMayExist: boolean,
    ): void => {
      const record = sfn.Pass.jsonPath(this, `${step.stateId}${outcome}`, {
        comment: `${errors.includes(sfn.Errors.ALL) ? 'Any other error' : errors.join(', ')} on ${step.stateId}: cancel the order with ${reason}.`,
        parameters: {
          reason,
          failedStep: step.stateId,
          error: sfn.JsonPath.objectAt('$.compensation'),
          chargeMayExist,
        },
        resultPath: '$.compensation',
      });
      record.next(cancelOrder);
      step.addCatch(record, { errors: [...errors], resultPath: '$.compensation' });
    };

    // ---- The steps ----------------------------------------------------------------------------------
    const reserveStock = invoke(
      'ReserveStock',
      steps.reserveStock,
      { orderId, items, correlationId },
      '$.reservation',
      settings.stepTimeout,
    );
    reserveStock.addRetry(transientRetry(['States.Timeout']));
    // A reserve that failed may have reserved part of the items: ReleaseStock undoes (or tombstones) them.
    compensate(reserveStock, 'OutOfStock', [STOCK_STEP_ERRORS.outOfStock], 'OUT_OF_STOCK', false);
    compensate(reserveStock, 'Failed', [sfn.Errors.ALL], 'SAGA_FAILED', false);

    const waitForApproval = tasks.LambdaInvoke.jsonPath(this, 'WaitForApproval', {
      lambdaFunction: steps.requestApproval,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ orderId, taskToken: sfn.JsonPath.taskToken, correlationId }),
      retryOnServiceExceptions: false,
      resultPath: '$.approval',
      taskTimeout: sfn.Timeout.duration(settings.approvalDeadline),
    });
    // Only the invocation of request-approval is retried: States.Timeout here is the deadline.
    waitForApproval.addRetry(transientRetry([]));
    compensate(waitForApproval, 'Rejected', [ORDER_SAGA_ERRORS.approvalRejected], 'APPROVAL_REJECTED', false);
    compensate(waitForApproval, 'TimedOut', ['States.Timeout'], 'APPROVAL_TIMEOUT', false);
    compensate(waitForApproval, 'Cancelled', [ORDER_SAGA_ERRORS.orderCancelled], 'CUSTOMER_CANCELLED', false);
    compensate(waitForApproval, 'Failed', [sfn.Errors.ALL], 'SAGA_FAILED', false);

    const ensureOrderActive = invoke(
      'EnsureOrderActive',
      steps.ensureOrderActive,
      { orderId, correlationId },
      '$.activeOrder',
      settings.stepTimeout,
    );
    ensureOrderActive.addRetry(transientRetry(['States.Timeout']));
    compensate(
      ensureOrderActive,
      'Cancelled',
      [ORDER_SAGA_ERRORS.orderCancelled],
      'CUSTOMER_CANCELLED',
      false,
    );
    compensate(ensureOrderActive, 'Failed', [sfn.Errors.ALL], 'SAGA_FAILED', false);

    const chargePayment = invoke(
      'ChargePayment',
      steps.chargePayment,
      {
        orderId,
        userId,
        amountCents: sfn.JsonPath.numberAt('$.totalCents'),
        currency: sfn.JsonPath.stringAt('$.currency'),
        payment: sfn.JsonPath.objectAt('$.payment'),
        correlationId,
      },
      '$.charge',
      settings.chargeTimeout,
    );
    // The provider's idempotency key (charge-<orderId>) makes a repeated charge safe.
    chargePayment.addRetry(transientRetry(['States.Timeout']));
    compensate(chargePayment, 'Declined', [PAYMENT_STEP_ERRORS.declined], 'PAYMENT_DECLINED', false);
    // The processor unavailable: wait for it (jittered pauses, counted in $.paymentWait) and charge
    // again, until the budget of waits is spent. Two Choices: a JSONPath comparison must not read a
    // path that is absent.
    const paymentUnavailable = sfn.Pass.jsonPath(this, 'ChargePaymentUnavailable', {
      comment: `The card processor stayed unavailable for the order's payment wait budget: cancel the order with PAYMENT_UNAVAILABLE.`,
      parameters: {
        reason: 'PAYMENT_UNAVAILABLE' satisfies OrderCancellationReason,
        failedStep: chargePayment.stateId,
        error: sfn.JsonPath.objectAt('$.paymentUnavailable'),
        // Any failure may hide a charge whose answer was lost: refund whatever was captured.
        chargeMayExist: true,
      },
      resultPath: '$.compensation',
    });
    paymentUnavailable.next(cancelOrder);
    const pause = `States.MathRandom(${settings.paymentWait.shortestPauseSeconds}, ${settings.paymentWait.longestPauseSeconds + 1})`;
    const waitForPaymentProvider = sfn.Wait.jsonPath(this, 'WaitForPaymentProvider', {
      comment: 'The order waits for the card processor (or its circuit) to come back.',
      time: sfn.WaitTime.secondsPath('$.paymentWait.seconds'),
    });
    waitForPaymentProvider.next(chargePayment);
    const startPaymentWait = sfn.Pass.jsonPath(this, 'StartPaymentWait', {
      parameters: { waits: 1, 'seconds.$': pause },
      resultPath: '$.paymentWait',
    }).next(waitForPaymentProvider);
    const countPaymentWait = sfn.Pass.jsonPath(this, 'CountPaymentWait', {
      parameters: { 'waits.$': 'States.MathAdd($.paymentWait.waits, 1)', 'seconds.$': pause },
      resultPath: '$.paymentWait',
    }).next(waitForPaymentProvider);
    const paymentWaitBudgetLeft = sfn.Choice.jsonPath(this, 'PaymentWaitBudgetLeft', {
      comment: `An order waits ${settings.paymentWait.waits} times at most for the card processor.`,
    })
      .when(
        sfn.Condition.numberGreaterThanEquals('$.paymentWait.waits', settings.paymentWait.waits),
        paymentUnavailable,
      )
      .otherwise(countPaymentWait);
    const paymentWaitStarted = sfn.Choice.jsonPath(this, 'PaymentWaitStarted')
      .when(sfn.Condition.isPresent('$.paymentWait'), paymentWaitBudgetLeft)
      .otherwise(startPaymentWait);
    chargePayment.addCatch(paymentWaitStarted, {
      errors: [PAYMENT_STEP_ERRORS.providerUnavailable],
      resultPath: '$.paymentUnavailable',
    });
    // Anything else (a rejected request, a step that kept failing) is the saga's own failure.
    compensate(chargePayment, 'Failed', [sfn.Errors.ALL], 'SAGA_FAILED', true);

    const commitStock = invoke(
      'CommitStock',
      steps.commitStock,
      { orderId, items, correlationId },
      '$.commit',
      settings.stepTimeout,
    );
    commitStock.addRetry(transientRetry(['States.Timeout']));
    compensate(commitStock, 'Failed', [sfn.Errors.ALL], 'SAGA_FAILED', true);

    const confirmOrder = invoke(
      'ConfirmOrder',
      steps.confirmOrder,
      {
        orderId,
        chargeId: sfn.JsonPath.stringAt('$.charge.chargeId'),
        amountCents: sfn.JsonPath.numberAt('$.charge.amountCents'),
        correlationId,
      },
      '$.confirmation',
      settings.stepTimeout,
    );
    confirmOrder.addRetry(transientRetry(['States.Timeout']));
    compensate(
      confirmOrder,
      'NotConfirmable',
      [ORDER_SAGA_ERRORS.orderNotConfirmable],
      'CUSTOMER_CANCELLED',
      true,
    );
    compensate(confirmOrder, 'Failed', [sfn.Errors.ALL], 'SAGA_FAILED', true);

    const needsApproval = sfn.Choice.jsonPath(this, 'NeedsApproval', {
      comment: `Orders of ${settings.approvalThresholdCents} minor units or more wait for an approval.`,
    });
    needsApproval
      .when(
        sfn.Condition.numberGreaterThanEquals('$.totalCents', settings.approvalThresholdCents),
        waitForApproval,
      )
      .otherwise(ensureOrderActive);
    reserveStock.next(needsApproval);
    waitForApproval.next(ensureOrderActive);
    ensureOrderActive
      .next(chargePayment)
      .next(commitStock)
      .next(confirmOrder)
      .next(sfn.Succeed.jsonPath(this, 'OrderPlaced'));

    // ---- The redrive of a parked saga ---------------------------------------------------------------
    // An input with `redrive: { resumeAt, compensation }` (the parked message's `failedStep` and
    // `compensation`) skips the forward steps and resumes the idempotent compensation chain at the
    // compensation that failed.
    const resumeCompensation = sfn.Choice.jsonPath(this, 'ResumeCompensation', {
      comment: 'Resume the compensation chain at the compensation that failed.',
    });
    for (const compensation of [cancelOrder, refundPayment, releaseStock]) {
      resumeCompensation.when(
        sfn.Condition.stringEquals('$.redrive.resumeAt', compensation.stateId),
        compensation,
      );
    }
    resumeCompensation.otherwise(
      sfn.Fail.jsonPath(this, 'InvalidRedrive', {
        error: ORDER_SAGA_ERRORS.invalidInput,
        cause: 'redrive.resumeAt must be CancelOrder, RefundPayment or ReleaseStock.',
      }),
    );
    const start = sfn.Choice.jsonPath(this, 'IsRedrive', {
      comment: 'A new order starts at ReserveStock; a redrive of a parked saga resumes its compensation.',
    })
      .when(
        sfn.Condition.isPresent('$.redrive'),
        sfn.Pass.jsonPath(this, 'RestoreCompensation', {
          comment: "Put the parked saga's compensation (reason, failed step, error) back in $.compensation.",
          inputPath: '$.redrive.compensation',
          resultPath: '$.compensation',
        }).next(resumeCompensation),
      )
      .otherwise(reserveStock);

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
        includeExecutionData: false,
      },
      comment: 'PlaceOrder: reserve, approve, charge, commit and confirm; or cancel, refund and release.',
    });

    this.parkedSagasAlarm = new cloudwatch.Alarm(this, 'ParkedSagasAlarm', {
      alarmDescription:
        'A PlaceOrder saga is parked: a compensation failed after its retries. Read the message on the ' +
        'parked-sagas queue and redrive it (docs/patterns/saga-orchestration.md).',
      metric: this.metricParkedSagas(),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedExecutionsAlarm = new cloudwatch.Alarm(this, 'FailedExecutionsAlarm', {
      alarmDescription:
        'PlaceOrder executions ended FAILED or TIMED_OUT: parked sagas, or sagas that could not even park.',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
        },
        period: Duration.minutes(5),
        label: 'Failed or timed-out executions',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets `grantee` resume or fail the approval step (`states:SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`). */
  public grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Lets `grantee` start executions. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * Lets `grantee` read an order's execution: `states:DescribeExecution` and `GetExecutionHistory` on the
   * machine's execution ARNs (`…:execution:<name>:*`), and nothing else — not the account-wide listing
   * and describing of state machines and activities that `StateMachine.grantRead` adds on `*`.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      resourceArns: [
        Stack.of(this).formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${this.stateMachine.stateMachineName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });
  }

  /**
   * Messages waiting on the parked-sagas queue.
   * @default maximum over 1 minute
   */
  public metricParkedSagas(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.parkedSagasQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }
}

interface PaymentWait {
  /** Waits at most, each pause at least `shortestPauseSeconds`: their sum covers the budget. */
  readonly waits: number;
  readonly shortestPauseSeconds: number;
  readonly longestPauseSeconds: number;
}

interface SagaSettings {
  readonly approvalThresholdCents: number;
  readonly paymentWait: PaymentWait;
  readonly approvalDeadline: Duration;
  readonly timeout: Duration;
  readonly stepTimeout: Duration;
  readonly chargeTimeout: Duration;
  readonly retryInterval: Duration;
  readonly maxRetryDelay: Duration;
  readonly maxRetryAttempts: number;
  readonly compensationRetryAttempts: number;
}

/** A STANDARD execution lasts at most a year; `TimeoutSeconds` of a machine is bounded by it. */
const ONE_YEAR_SECONDS = 365 * 24 * 3600;
/** `MaxAttempts` and `IntervalSeconds`/`MaxDelaySeconds` bounds of Amazon States Language. */
const MAX_ATTEMPTS = 99_999_999;
const MAX_RETRY_DELAY_SECONDS = 31_622_400;

function resolveSettings(id: string, props: PlaceOrderSagaProps): SagaSettings {
  const fail = (message: string): never => {
    throw new Error(`PlaceOrderSaga ${id}: ${message}`);
  };
  const approvalThresholdCents = props.approvalThresholdCents ?? 100_000;
  if (
    !Token.isUnresolved(approvalThresholdCents) &&
    (!Number.isInteger(approvalThresholdCents) || approvalThresholdCents < 1)
  ) {
    fail(
      `approvalThresholdCents must be a positive integer of minor units (e.g. 100000 for 1,000.00), not ${approvalThresholdCents}.`,
    );
  }
  const approvalDeadline = props.approvalDeadline ?? Duration.hours(24);
  wholeSecondsIn('approvalDeadline', approvalDeadline, 1, ONE_YEAR_SECONDS - 1, fail);
  const stepTimeout = props.stepTimeout ?? Duration.seconds(30);
  wholeSecondsIn('stepTimeout', stepTimeout, 1, 24 * 3600, fail);
  const chargeTimeout = props.chargeTimeout ?? Duration.seconds(60);
  wholeSecondsIn('chargeTimeout', chargeTimeout, 1, 24 * 3600, fail);
  const paymentWaitBudget = props.paymentWaitBudget ?? Duration.minutes(15);
  wholeSecondsIn('paymentWaitBudget', paymentWaitBudget, 1, ONE_YEAR_SECONDS, fail);
  const paymentWaitInterval = props.paymentWaitInterval ?? Duration.seconds(30);
  wholeSecondsIn('paymentWaitInterval', paymentWaitInterval, 1, ONE_YEAR_SECONDS, fail);
  const budgetSeconds = paymentWaitBudget.toSeconds();
  const longestPauseSeconds = paymentWaitInterval.toSeconds();
  if (longestPauseSeconds > budgetSeconds) {
    fail(
      `paymentWaitInterval (${paymentWaitInterval.toHumanString()}) must not be longer than paymentWaitBudget (${paymentWaitBudget.toHumanString()}).`,
    );
  }
  const shortestPauseSeconds = Math.max(1, Math.floor(longestPauseSeconds / 2));
  const paymentWait: PaymentWait = {
    waits: Math.ceil(budgetSeconds / shortestPauseSeconds),
    shortestPauseSeconds,
    longestPauseSeconds,
  };
  const longestPaymentWait = Duration.seconds(paymentWait.waits * longestPauseSeconds);
  const timeout = props.timeout ?? approvalDeadline.plus(longestPaymentWait).plus(Duration.hours(1));
  wholeSecondsIn('timeout', timeout, 1, ONE_YEAR_SECONDS, fail);
  if (
    !timeout.isUnresolved() &&
    !approvalDeadline.isUnresolved() &&
    timeout.toSeconds() <= approvalDeadline.toSeconds() + longestPaymentWait.toSeconds()
  ) {
    fail(
      `timeout (${timeout.toHumanString()}) must be longer than approvalDeadline (${approvalDeadline.toHumanString()}) ` +
        `plus the longest payment wait (${longestPaymentWait.toHumanString()}), or a waiting order would end ` +
        'the execution instead of compensating it.',
    );
  }
  const retryInterval = props.retryInterval ?? Duration.seconds(1);
  wholeSecondsIn('retryInterval', retryInterval, 1, MAX_RETRY_DELAY_SECONDS, fail);
  const maxRetryDelay = props.maxRetryDelay ?? Duration.seconds(30);
  wholeSecondsIn('maxRetryDelay', maxRetryDelay, 1, MAX_RETRY_DELAY_SECONDS, fail);
  if (
    !retryInterval.isUnresolved() &&
    !maxRetryDelay.isUnresolved() &&
    maxRetryDelay.toSeconds() < retryInterval.toSeconds()
  ) {
    fail(
      `maxRetryDelay (${maxRetryDelay.toHumanString()}) must be at least retryInterval (${retryInterval.toHumanString()}).`,
    );
  }
  const maxRetryAttempts = props.maxRetryAttempts ?? 3;
  integerIn('maxRetryAttempts', maxRetryAttempts, 0, MAX_ATTEMPTS, fail);
  const compensationRetryAttempts = props.compensationRetryAttempts ?? 6;
  integerIn('compensationRetryAttempts', compensationRetryAttempts, 0, MAX_ATTEMPTS, fail);
  return {
    approvalThresholdCents,
    paymentWait,
    approvalDeadline,
    timeout,
    stepTimeout,
    chargeTimeout,
    retryInterval,
    maxRetryDelay,
    maxRetryAttempts,
    compensationRetryAttempts,
  };
}

function wholeSecondsIn(
  name: string,
  value: Duration,
  min: number,
  max: number,
  fail: (message: string) => never,
): void {
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    fail(`${name} must be a whole number of seconds from ${min} to ${max}, not ${seconds}.`);
  }
}

function integerIn(
  name: string,
  value: number,
  min: number,
  max: number,
  fail: (message: string) => never,
): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max}, not ${value}.`);
  }
}
