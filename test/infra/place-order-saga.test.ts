import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  BUSINESS_ERRORS,
  PlaceOrderSaga,
  TRANSIENT_LAMBDA_ERRORS,
  type PlaceOrderSagaProps,
  type PlaceOrderSagaSteps,
} from '../../infra/constructs/place-order-saga';
import { actionsGrantedTo, unbundledStack } from './construct-test-helpers';
import { CANCEL_AND_RELEASE, CANCEL_REFUND_AND_RELEASE } from '../support/place-order-saga-paths';

// ---- Reading the synthesized definition ------------------------------------------------------------

interface Retrier {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

interface Catcher {
  readonly ErrorEquals: string[];
  readonly ResultPath?: string;
  readonly Next: string;
}

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: { readonly Next: string; readonly [key: string]: unknown }[];
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly TimeoutSeconds?: number;
  readonly Retry?: Retrier[];
  readonly Catch?: Catcher[];
  readonly Error?: string;
  readonly InputPath?: string;
}

interface Definition {
  readonly StartAt: string;
  readonly TimeoutSeconds?: number;
  readonly States: Record<string, AslState>;
}

type Json = Record<string, unknown>;

/** A CloudFormation value inside the definition, shown as `<Ref X>` / `<GetAtt X.Attr>`. */
function placeholder(token: unknown): string {
  const value = token as Json;
  if (typeof value['Ref'] === 'string') return `<Ref ${value['Ref']}>`;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<GetAtt ${getAtt.join('.')}>`;
  throw new Error(`unexpected token in the definition: ${JSON.stringify(token)}`);
}

/** The state machine's definition, its `Fn::Join` parts joined with placeholders for the tokens. */
function definitionOf(template: Template): Definition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Json[];
  expect(machines).toHaveLength(1);
  const definition = (machines[0]?.['Properties'] as Json)['DefinitionString'];
  if (typeof definition === 'string') return JSON.parse(definition) as Definition;
  const [separator, parts] = (definition as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join(separator);
  return JSON.parse(text) as Definition;
}

function stateOf(definition: Definition, name: string): AslState {
  const state = definition.States[name];
  if (!state)
    throw new Error(`no state ${name}; the machine has ${Object.keys(definition.States).join(', ')}`);
  return state;
}

/** Where an error thrown by `step` goes: its first catcher matching it, as Step Functions picks it. */
function catcherFor(state: AslState, error: string): Catcher {
  const catcher = state.Catch?.find(
    (candidate) =>
      candidate.ErrorEquals.includes(error) ||
      candidate.ErrorEquals.includes('States.ALL') ||
      (candidate.ErrorEquals.includes('States.TaskFailed') && error !== 'States.Timeout'),
  );
  if (!catcher) throw new Error(`nothing catches ${error}`);
  return catcher;
}

/**
 * The states visited from `start` when each succeeds, to the end: a Choice takes its default, but for
 * `ChargeMayExist`, which takes the branch the compensation record's `chargeMayExist` selects (its one
 * rule matches `false`; the rule itself is asserted below).
 */
function pathFrom(definition: Definition, start: string, chargeMayExist?: unknown): string[] {
  const path: string[] = [];
  let name: string | undefined = start;
  while (name !== undefined) {
    if (path.includes(name)) throw new Error(`a loop at ${name}`);
    path.push(name);
    const state = stateOf(definition, name);
    if (state.Type !== 'Choice') name = state.Next;
    else if (name === 'ChargeMayExist' && chargeMayExist === false) name = state.Choices?.[0]?.Next;
    else name = state.Default;
  }
  return path;
}

/** What happens when `step` fails with `error` after its retries: the states, and the reason recorded. */
function compensationFor(definition: Definition, step: string, error: string) {
  const catcher = catcherFor(stateOf(definition, step), error);
  const record = stateOf(definition, catcher.Next);
  return {
    resultPath: catcher.ResultPath,
    parameters: record.Parameters,
    states: pathFrom(definition, catcher.Next, record.Parameters?.['chargeMayExist']),
  };
}

function taskStates(definition: Definition): [string, AslState][] {
  return Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
}

// ---- Building the saga ---------------------------------------------------------------------------------

const STEP_NAMES: readonly (keyof PlaceOrderSagaSteps)[] = [
  'reserveStock',
  'releaseStock',
  'commitStock',
  'chargePayment',
  'refundPayment',
  'requestApproval',
  'ensureOrderActive',
  'confirmOrder',
  'cancelOrder',
];

function stepsOn(stack: Stack): PlaceOrderSagaSteps {
  const entries = STEP_NAMES.map((name) => [
    name,
    lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:111111111111:function:${name}`),
  ]);
  return Object.fromEntries(entries) as Record<keyof PlaceOrderSagaSteps, lambda.IFunction>;
}

function sagaOn(stack: Stack, overrides: Partial<PlaceOrderSagaProps> = {}) {
  const saga = new PlaceOrderSaga(stack, 'Saga', { steps: stepsOn(stack), ...overrides });
  const template = Template.fromStack(stack);
  return { saga, template, definition: definitionOf(template) };
}

const FORWARD_STEPS = ['ReserveStock', 'EnsureOrderActive', 'ChargePayment', 'CommitStock', 'ConfirmOrder'];
const COMPENSATIONS = ['CancelOrder', 'RefundPayment', 'ReleaseStock'];

describe('PlaceOrderSaga', () => {
  const { definition, template } = sagaOn(unbundledStack());

  describe('the forward path', () => {
    test('reserves, decides on an approval, ensures the order is active, charges, commits and confirms', () => {
      expect(definition.StartAt).toBe('IsRedrive');
      expect(pathFrom(definition, 'IsRedrive')).toEqual([
        'IsRedrive',
        'ReserveStock',
        'NeedsApproval',
        'EnsureOrderActive',
        'ChargePayment',
        'CommitStock',
        'ConfirmOrder',
        'OrderPlaced',
      ]);
      expect(stateOf(definition, 'OrderPlaced').Type).toBe('Succeed');
      expect(pathFrom(definition, 'WaitForApproval')[1]).toBe('EnsureOrderActive');
    });

    test('waits for an approval from 100,000 minor units on', () => {
      const choice = stateOf(definition, 'NeedsApproval');
      expect(choice.Choices).toEqual([
        { Variable: '$.totalCents', NumericGreaterThanEquals: 100_000, Next: 'WaitForApproval' },
      ]);
      expect(choice.Default).toBe('EnsureOrderActive');
    });

    test('invokes each step with its contract payload and keeps the input, adding the result beside it', () => {
      const expected: Record<string, [string, Record<string, string>, string]> = {
        ReserveStock: [
          'reserveStock',
          { 'orderId.$': '$.orderId', 'items.$': '$.items', 'correlationId.$': '$.correlationId' },
          '$.reservation',
        ],
        EnsureOrderActive: [
          'ensureOrderActive',
          { 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId' },
          '$.activeOrder',
        ],
        ChargePayment: [
          'chargePayment',
          {
            'orderId.$': '$.orderId',
            'userId.$': '$.userId',
            'amountCents.$': '$.totalCents',
            'currency.$': '$.currency',
            'payment.$': '$.payment',
            'correlationId.$': '$.correlationId',
          },
          '$.charge',
        ],
        CommitStock: [
          'commitStock',
          { 'orderId.$': '$.orderId', 'items.$': '$.items', 'correlationId.$': '$.correlationId' },
          '$.commit',
        ],
        ConfirmOrder: [
          'confirmOrder',
          {
            'orderId.$': '$.orderId',
            'chargeId.$': '$.charge.chargeId',
            'amountCents.$': '$.charge.amountCents',
            'correlationId.$': '$.correlationId',
          },
          '$.confirmation',
        ],
        RefundPayment: [
          'refundPayment',
          {
            'orderId.$': '$.orderId',
            'userId.$': '$.userId',
            'method.$': '$.payment.method',
            'correlationId.$': '$.correlationId',
          },
          '$.refund',
        ],
        ReleaseStock: [
          'releaseStock',
          { 'orderId.$': '$.orderId', 'items.$': '$.items', 'correlationId.$': '$.correlationId' },
          '$.release',
        ],
        CancelOrder: [
          'cancelOrder',
          {
            'orderId.$': '$.orderId',
            'reason.$': '$.compensation.reason',
            'correlationId.$': '$.correlationId',
          },
          '$.cancellation',
        ],
      };
      for (const [name, [fn, parameters, resultPath]] of Object.entries(expected)) {
        const state = stateOf(definition, name);
        // payloadResponseOnly: the function ARN itself, so the result is the function's own.
        expect([name, state.Resource]).toEqual([
          name,
          `arn:aws:lambda:us-east-1:111111111111:function:${fn}`,
        ]);
        expect([name, state.Parameters]).toEqual([name, parameters]);
        expect([name, state.ResultPath]).toEqual([name, resultPath]);
      }
    });

    test('WaitForApproval invokes request-approval with a task token and waits at most the deadline', () => {
      const state = stateOf(definition, 'WaitForApproval');
      expect(state.Resource).toBe('arn:<Ref AWS::Partition>:states:::lambda:invoke.waitForTaskToken');
      expect(state.Parameters).toEqual({
        FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:requestApproval',
        Payload: {
          'orderId.$': '$.orderId',
          'taskToken.$': '$$.Task.Token',
          'correlationId.$': '$.correlationId',
        },
      });
      expect(state.TimeoutSeconds).toBe(24 * 3600);
      expect(state.ResultPath).toBe('$.approval');
    });

    test('every task has a timeout, and so has the machine (deadline + the longest payment wait + 1 h)', () => {
      const timeouts = Object.fromEntries(
        taskStates(definition).map(([name, state]) => [name, state.TimeoutSeconds]),
      );
      expect(timeouts).toEqual({
        ReserveStock: 30,
        WaitForApproval: 86_400,
        EnsureOrderActive: 30,
        ChargePayment: 60,
        CommitStock: 30,
        ConfirmOrder: 30,
        RefundPayment: 30,
        ReleaseStock: 30,
        CancelOrder: 30,
        ParkSaga: 30,
      });
      // 60 waits of at most 30 s: the 15-minute budget's pauses are drawn from 15 to 30 s.
      expect(definition.TimeoutSeconds).toBe(86_400 + 60 * 30 + 3600);
    });
  });

  describe('the redrive of a parked saga', () => {
    test('an input with `redrive` skips the forward steps and resumes at the compensation that failed', () => {
      expect(stateOf(definition, 'IsRedrive')).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.redrive', IsPresent: true, Next: 'RestoreCompensation' }],
        Default: 'ReserveStock',
      });
      expect(stateOf(definition, 'RestoreCompensation')).toMatchObject({
        Type: 'Pass',
        InputPath: '$.redrive.compensation',
        ResultPath: '$.compensation',
        Next: 'ResumeCompensation',
      });
      expect(stateOf(definition, 'ResumeCompensation')).toMatchObject({
        Type: 'Choice',
        Choices: COMPENSATIONS.map((name) => ({
          Variable: '$.redrive.resumeAt',
          StringEquals: name,
          Next: name,
        })),
        Default: 'InvalidRedrive',
      });
      expect(stateOf(definition, 'InvalidRedrive')).toMatchObject({
        Type: 'Fail',
        Error: 'InvalidSagaInput',
      });
      expect(pathFrom(definition, 'ReleaseStock')).toEqual(['ReleaseStock', 'OrderCancelled']);
    });
  });

  describe('retries', () => {
    test('each forward step retries transient errors only, with backoff 2, a maximum delay and full jitter', () => {
      const expected: Record<string, string[]> = {
        ReserveStock: [...TRANSIENT_LAMBDA_ERRORS, 'States.Timeout'],
        WaitForApproval: [...TRANSIENT_LAMBDA_ERRORS],
        EnsureOrderActive: [...TRANSIENT_LAMBDA_ERRORS, 'States.Timeout'],
        ChargePayment: [...TRANSIENT_LAMBDA_ERRORS, 'States.Timeout'],
        CommitStock: [...TRANSIENT_LAMBDA_ERRORS, 'States.Timeout'],
        ConfirmOrder: [...TRANSIENT_LAMBDA_ERRORS, 'States.Timeout'],
      };
      for (const [name, errors] of Object.entries(expected)) {
        expect([name, stateOf(definition, name).Retry]).toEqual([
          name,
          [
            {
              ErrorEquals: errors,
              IntervalSeconds: 1,
              MaxAttempts: 3,
              BackoffRate: 2,
              MaxDelaySeconds: 30,
              JitterStrategy: 'FULL',
            },
          ],
        ]);
      }
    });

    test('no business outcome is ever retried, and only idempotent compensations retry everything', () => {
      for (const [name, state] of taskStates(definition)) {
        for (const retrier of state.Retry ?? []) {
          const business = retrier.ErrorEquals.filter((error) => BUSINESS_ERRORS.includes(error));
          if (business.length > 0) {
            // Listed only to keep it from a later States.ALL retrier: zero attempts.
            expect([name, retrier]).toEqual([name, { ErrorEquals: business, MaxAttempts: 0 }]);
            continue;
          }
          expect([name, retrier.JitterStrategy, retrier.BackoffRate]).toEqual([name, 'FULL', 2]);
          if (
            retrier.ErrorEquals.includes('States.ALL') ||
            retrier.ErrorEquals.includes('States.TaskFailed')
          ) {
            expect([...COMPENSATIONS, 'ParkSaga']).toContain(name);
          }
        }
      }
    });

    test('the approval deadline is not retried: States.Timeout there means APPROVAL_TIMEOUT', () => {
      const retried = (stateOf(definition, 'WaitForApproval').Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect(retried).not.toContain('States.Timeout');
    });

    test('compensations and parking retry any error, longer than the steps', () => {
      const retryAll = {
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 1,
        MaxAttempts: 6,
        BackoffRate: 2,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      };
      for (const name of ['RefundPayment', 'ReleaseStock', 'ParkSaga']) {
        expect([name, stateOf(definition, name).Retry]).toEqual([name, [retryAll]]);
      }
      // but for a paid order, which CancelOrder must not cancel however often it tries.
      expect(stateOf(definition, 'CancelOrder').Retry).toEqual([
        { ErrorEquals: ['OrderNotCancellable'], MaxAttempts: 0 },
        retryAll,
      ]);
      // It stands as placed, nothing undone; any other error that stays parks the saga.
      expect(stateOf(definition, 'CancelOrder').Catch).toEqual([
        { ErrorEquals: ['OrderNotCancellable'], ResultPath: '$.cancellation', Next: 'OrderAlreadyPaid' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.parking', Next: 'CancelOrderFailed' },
      ]);
      expect(stateOf(definition, 'OrderAlreadyPaid').Type).toBe('Succeed');
    });
  });

  describe('compensation paths', () => {
    test.each<[string, string, string, readonly string[]]>([
      ['ReserveStock', 'OutOfStock', 'OUT_OF_STOCK', CANCEL_AND_RELEASE],
      ['ReserveStock', 'Lambda.ServiceException', 'SAGA_FAILED', CANCEL_AND_RELEASE],
      ['ReserveStock', 'States.Timeout', 'SAGA_FAILED', CANCEL_AND_RELEASE],
      ['WaitForApproval', 'ApprovalRejected', 'APPROVAL_REJECTED', CANCEL_AND_RELEASE],
      ['WaitForApproval', 'States.Timeout', 'APPROVAL_TIMEOUT', CANCEL_AND_RELEASE],
      ['WaitForApproval', 'OrderCancelled', 'CUSTOMER_CANCELLED', CANCEL_AND_RELEASE],
      ['WaitForApproval', 'Lambda.TooManyRequestsException', 'SAGA_FAILED', CANCEL_AND_RELEASE],
      ['EnsureOrderActive', 'OrderCancelled', 'CUSTOMER_CANCELLED', CANCEL_AND_RELEASE],
      ['EnsureOrderActive', 'Sandbox.Timedout', 'SAGA_FAILED', CANCEL_AND_RELEASE],
      ['ChargePayment', 'PaymentDeclined', 'PAYMENT_DECLINED', CANCEL_AND_RELEASE],
      ['ChargePayment', 'PaymentProviderRejected', 'SAGA_FAILED', CANCEL_REFUND_AND_RELEASE],
      ['ChargePayment', 'States.Timeout', 'SAGA_FAILED', CANCEL_REFUND_AND_RELEASE],
      ['ChargePayment', 'Error', 'SAGA_FAILED', CANCEL_REFUND_AND_RELEASE],
      ['CommitStock', 'ReservationNotFound', 'SAGA_FAILED', CANCEL_REFUND_AND_RELEASE],
      ['CommitStock', 'Lambda.ServiceException', 'SAGA_FAILED', CANCEL_REFUND_AND_RELEASE],
      ['ConfirmOrder', 'OrderNotConfirmable', 'CUSTOMER_CANCELLED', CANCEL_REFUND_AND_RELEASE],
      ['ConfirmOrder', 'States.Timeout', 'SAGA_FAILED', CANCEL_REFUND_AND_RELEASE],
    ])('%s failing with %s cancels with %s', (step, error, reason, chain) => {
      // Act
      const compensation = compensationFor(definition, step, error);

      // Assess: the error lands in $.compensation, a Pass state adds why, then the shared chain.
      expect(compensation.resultPath).toBe('$.compensation');
      expect(compensation.parameters).toEqual({
        reason,
        failedStep: step,
        'error.$': '$.compensation',
        chargeMayExist: chain === CANCEL_REFUND_AND_RELEASE,
      });
      expect(compensation.states.slice(1)).toEqual(chain);
      expect(stateOf(definition, 'OrderCancelled').Type).toBe('Succeed');
    });

    test('the compensation chain is built once: every reason enters the same three states', () => {
      const entries = new Set<string>();
      for (const step of [...FORWARD_STEPS, 'WaitForApproval']) {
        for (const catcher of stateOf(definition, step).Catch ?? []) {
          // An unavailable processor is waited for first; its budget spent, it enters the chain too.
          const record = catcher.Next === 'PaymentWaitStarted' ? 'ChargePaymentUnavailable' : catcher.Next;
          entries.add(stateOf(definition, record).Next ?? '');
        }
      }
      expect([...entries]).toEqual(['CancelOrder']);
      // Refunds unless the record says no charge can exist; a record without the flag refunds.
      expect(stateOf(definition, 'ChargeMayExist')).toMatchObject({
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.compensation.chargeMayExist', IsPresent: true },
              { Variable: '$.compensation.chargeMayExist', BooleanEquals: false },
            ],
            Next: 'ReleaseStock',
          },
        ],
        Default: 'RefundPayment',
      });
      const compensationTasks = taskStates(definition)
        .map(([, state]) => state.Resource ?? '')
        .filter((resource) => /function:(refundPayment|releaseStock|cancelOrder)$/.test(resource));
      expect(compensationTasks).toHaveLength(3);
    });

    test('every catcher of a forward step is specific first and ends with States.ALL', () => {
      for (const step of [...FORWARD_STEPS, 'WaitForApproval']) {
        const catchers = stateOf(definition, step).Catch ?? [];
        expect([step, catchers.at(-1)?.ErrorEquals]).toEqual([step, ['States.ALL']]);
        for (const catcher of catchers.slice(0, -1)) {
          expect(
            catcher.ErrorEquals.every(
              (error) =>
                BUSINESS_ERRORS.includes(error) ||
                error === 'States.Timeout' ||
                (step === 'ChargePayment' && error === 'PaymentProviderUnavailable'),
            ),
          ).toBe(true);
        }
      }
    });

    test('a compensation that still fails parks the saga on the queue, then fails the execution', () => {
      for (const name of COMPENSATIONS) {
        const catchers = stateOf(definition, name).Catch;
        expect(catchers?.at(-1)).toEqual({
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.parking',
          Next: `${name}Failed`,
        });
        expect(stateOf(definition, `${name}Failed`).Parameters).toEqual({
          failedStep: name,
          'error.$': '$.parking.Error',
          'cause.$': '$.parking.Cause',
        });
        expect(pathFrom(definition, `${name}Failed`)).toEqual([`${name}Failed`, 'ParkSaga', 'SagaParked']);
      }
      const park = stateOf(definition, 'ParkSaga');
      expect(park.Resource).toBe('arn:<Ref AWS::Partition>:states:::sqs:sendMessage');
      expect(park.Parameters).toEqual({
        QueueUrl: expect.stringMatching(/^<Ref SagaParkedSagas[A-Z0-9]+>$/),
        MessageBody: {
          'executionArn.$': '$$.Execution.Id',
          'orderId.$': '$.orderId',
          'failedStep.$': '$.parking.failedStep',
          'error.$': '$.parking.error',
          'cause.$': '$.parking.cause',
          'compensation.$': '$.compensation',
        },
      });
      expect(park.Catch).toBeUndefined();
      expect(stateOf(definition, 'SagaParked')).toMatchObject({ Type: 'Fail', Error: 'SagaParked' });
    });

    test('every state is reachable, and no two paths build their own copies of a step', () => {
      const reachable = new Set<string>();
      const visit = (name: string): void => {
        if (reachable.has(name)) return;
        reachable.add(name);
        const state = stateOf(definition, name);
        const next = [
          state.Next,
          state.Default,
          ...(state.Choices ?? []).map((choice) => choice.Next),
          ...(state.Catch ?? []).map((catcher) => catcher.Next),
        ];
        for (const target of next) if (target !== undefined) visit(target);
      };
      visit(definition.StartAt);
      expect([...reachable].sort()).toEqual(Object.keys(definition.States).sort());
    });
  });

  describe('waiting for the card processor', () => {
    test('an unavailable processor is caught before States.ALL and waited for, not compensated', () => {
      const catchers = stateOf(definition, 'ChargePayment').Catch ?? [];
      expect(catchers.map((catcher) => catcher.ErrorEquals)).toEqual([
        ['PaymentDeclined'],
        ['PaymentProviderUnavailable'],
        ['States.ALL'],
      ]);
      expect(catchers[1]).toEqual({
        ErrorEquals: ['PaymentProviderUnavailable'],
        ResultPath: '$.paymentUnavailable',
        Next: 'PaymentWaitStarted',
      });
    });

    test('the first wait starts the count, later ones add to it; each pause jittered from 15 to 30 s, then the charge again', () => {
      expect(stateOf(definition, 'PaymentWaitStarted')).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.paymentWait', IsPresent: true, Next: 'PaymentWaitBudgetLeft' }],
        Default: 'StartPaymentWait',
      });
      expect(stateOf(definition, 'StartPaymentWait')).toMatchObject({
        Type: 'Pass',
        Parameters: { waits: 1, 'seconds.$': 'States.MathRandom(15, 31)' },
        ResultPath: '$.paymentWait',
        Next: 'WaitForPaymentProvider',
      });
      expect(stateOf(definition, 'CountPaymentWait')).toMatchObject({
        Type: 'Pass',
        Parameters: {
          'waits.$': 'States.MathAdd($.paymentWait.waits, 1)',
          'seconds.$': 'States.MathRandom(15, 31)',
        },
        ResultPath: '$.paymentWait',
        Next: 'WaitForPaymentProvider',
      });
      expect(stateOf(definition, 'WaitForPaymentProvider')).toMatchObject({
        Type: 'Wait',
        SecondsPath: '$.paymentWait.seconds',
        Next: 'ChargePayment',
      });
    });

    test('the budget spent (60 waits of at least 15 s: 15 minutes), the order is cancelled PAYMENT_UNAVAILABLE and refunded', () => {
      expect(stateOf(definition, 'PaymentWaitBudgetLeft')).toMatchObject({
        Type: 'Choice',
        Choices: [
          {
            Variable: '$.paymentWait.waits',
            NumericGreaterThanEquals: 60,
            Next: 'ChargePaymentUnavailable',
          },
        ],
        Default: 'CountPaymentWait',
      });
      expect(stateOf(definition, 'ChargePaymentUnavailable').Parameters).toEqual({
        reason: 'PAYMENT_UNAVAILABLE',
        failedStep: 'ChargePayment',
        'error.$': '$.paymentUnavailable',
        chargeMayExist: true,
      });
      expect(pathFrom(definition, 'ChargePaymentUnavailable', true)).toEqual([
        'ChargePaymentUnavailable',
        ...CANCEL_REFUND_AND_RELEASE,
      ]);
    });

    test('the budget and the longest pause are props: at least the budget in all, and the machine outlasts the longest wait', () => {
      // Act
      const { definition: custom } = sagaOn(unbundledStack(), {
        approvalDeadline: Duration.minutes(1),
        paymentWaitBudget: Duration.seconds(90),
        paymentWaitInterval: Duration.seconds(5),
      });

      // Assess: pauses of 2 to 5 s, 45 of them: at least 90 s, at most 225 s.
      expect(stateOf(custom, 'StartPaymentWait').Parameters).toMatchObject({
        'seconds.$': 'States.MathRandom(2, 6)',
      });
      expect(stateOf(custom, 'PaymentWaitBudgetLeft').Choices?.[0]).toMatchObject({
        NumericGreaterThanEquals: 45,
      });
      expect(custom.TimeoutSeconds).toBe(60 + 45 * 5 + 3600);
    });
  });

  describe('resources', () => {
    test('a STANDARD machine with X-Ray tracing', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
      });
    });

    test('the parked-sagas queue: SSL only, SQS-managed encryption, 14 days, alarmed on its first message', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SagaParkedSagas'), 'QueueName'] },
          },
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    test('an alarm on executions that ended FAILED or TIMED_OUT', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0)' }),
          Match.objectLike({
            Id: 'failed',
            MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed' }) }),
          }),
          Match.objectLike({
            Id: 'timedOut',
            MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsTimedOut' }) }),
          }),
        ]),
      });
    });

    test('the machine may invoke the nine functions, send to the parked queue, trace and deliver its logs, nothing else', () => {
      expect(actionsGrantedTo(template, 'SagaStateMachineRole')).toEqual([
        'lambda:InvokeFunction',
        // What CloudWatch Logs' vended delivery needs of the machine's role (on `*`, as AWS documents).
        'logs:CreateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:GetLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:UpdateLogDelivery',
        'sqs:SendMessage',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });
  });

  describe('grants', () => {
    function grantedOn(grant: (saga: PlaceOrderSaga, role: iam.Role) => void) {
      const stack = unbundledStack();
      const role = new iam.Role(stack, 'Caller', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      grant(new PlaceOrderSaga(stack, 'Saga', { steps: stepsOn(stack) }), role);
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }] },
      });
      return Object.values(policies).flatMap(
        (policy) =>
          ((policy as Json)['Properties'] as { PolicyDocument: { Statement: Json[] } }).PolicyDocument
            .Statement,
      );
    }

    test('grantStartExecution allows states:StartExecution on the machine', () => {
      const statements = grantedOn((saga, role) => saga.grantStartExecution(role));
      expect(statements).toEqual([
        expect.objectContaining({
          Action: 'states:StartExecution',
          Resource: { Ref: expect.stringMatching(/^SagaStateMachine/) },
        }),
      ]);
    });

    test('grantTaskResponse allows SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat', () => {
      const statements = grantedOn((saga, role) => saga.grantTaskResponse(role));
      expect(statements).toEqual([
        expect.objectContaining({
          Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          Resource: { Ref: expect.stringMatching(/^SagaStateMachine/) },
        }),
      ]);
    });

    test('grantRead allows DescribeExecution and GetExecutionHistory on the execution ARNs, and nothing on *', () => {
      const statements = grantedOn((saga, role) => saga.grantRead(role));
      expect(statements).toHaveLength(1);
      const [onExecutions] = statements;
      expect(onExecutions?.['Action']).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
      // arn:<partition>:states:<region>:<account>:execution:<machine name>:*
      const resource = JSON.stringify(onExecutions?.['Resource']);
      expect(resource).toContain(':execution:');
      expect(resource).toMatch(/SagaStateMachine[A-Z0-9]+/);
      expect(resource).toMatch(/":\*"\]\]\}$/);
    });
  });

  describe('props', () => {
    test('pass the threshold, deadline, timeouts and retry timings through', () => {
      // Act
      const { definition: custom } = sagaOn(unbundledStack(), {
        approvalThresholdCents: 5000,
        approvalDeadline: Duration.hours(2),
        timeout: Duration.hours(3),
        stepTimeout: Duration.seconds(5),
        chargeTimeout: Duration.seconds(20),
        retryInterval: Duration.seconds(2),
        maxRetryDelay: Duration.seconds(8),
        maxRetryAttempts: 1,
        compensationRetryAttempts: 4,
      });

      // Assess
      expect(stateOf(custom, 'NeedsApproval').Choices?.[0]).toMatchObject({ NumericGreaterThanEquals: 5000 });
      expect(stateOf(custom, 'WaitForApproval').TimeoutSeconds).toBe(7200);
      expect(custom.TimeoutSeconds).toBe(3 * 3600);
      expect(stateOf(custom, 'ReserveStock').TimeoutSeconds).toBe(5);
      expect(stateOf(custom, 'ChargePayment').TimeoutSeconds).toBe(20);
      expect(stateOf(custom, 'ChargePayment').Retry?.[0]).toMatchObject({
        IntervalSeconds: 2,
        MaxDelaySeconds: 8,
        MaxAttempts: 1,
      });
      expect(stateOf(custom, 'ReleaseStock').Retry?.[0]).toMatchObject({
        IntervalSeconds: 2,
        MaxAttempts: 4,
      });
    });

    test('the machine timeout follows the deadline by default; every event is logged, no execution data, unless told otherwise', () => {
      // Prepare
      const stack = unbundledStack();
      const destination = new logs.LogGroup(stack, 'SagaLogs');

      // Act
      const { definition: custom, template: logged } = sagaOn(stack, {
        approvalDeadline: Duration.minutes(30),
        logs: { destination, level: sfn.LogLevel.ERROR },
      });

      // Assess
      expect(custom.TimeoutSeconds).toBe(1800 + 60 * 30 + 3600);
      logged.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: Match.objectLike({ Level: 'ERROR' }),
      });
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test.each<[string, Partial<PlaceOrderSagaProps>, RegExp]>([
      [
        'a zero threshold',
        { approvalThresholdCents: 0 },
        /approvalThresholdCents must be a positive integer/,
      ],
      [
        'a fractional threshold',
        { approvalThresholdCents: 99.5 },
        /approvalThresholdCents must be a positive integer/,
      ],
      [
        'a sub-second deadline',
        { approvalDeadline: Duration.millis(500) },
        /approvalDeadline must be a whole number of seconds from 1/,
      ],
      [
        'a zero step timeout',
        { stepTimeout: Duration.seconds(0) },
        /stepTimeout must be a whole number of seconds/,
      ],
      [
        'a fractional charge timeout',
        { chargeTimeout: Duration.millis(1500) },
        /chargeTimeout must be a whole number of seconds/,
      ],
      [
        'a machine timeout within the deadline',
        { approvalDeadline: Duration.hours(2), timeout: Duration.hours(1) },
        /timeout \(1 hour\) must be longer than approvalDeadline \(2 hours\)/,
      ],
      [
        'a machine timeout within the deadline and the longest payment wait',
        {
          approvalDeadline: Duration.hours(1),
          paymentWaitBudget: Duration.minutes(30),
          timeout: Duration.hours(2),
        },
        /timeout \(2 hours\) must be longer than approvalDeadline \(1 hour\) plus the longest payment wait \(1 hour\)/,
      ],
      [
        'a pause longer than the payment wait budget',
        { paymentWaitBudget: Duration.seconds(20), paymentWaitInterval: Duration.seconds(30) },
        /paymentWaitInterval \(30 seconds\) must not be longer than paymentWaitBudget \(20 seconds\)/,
      ],
      [
        'a fractional payment wait budget',
        { paymentWaitBudget: Duration.millis(1500) },
        /paymentWaitBudget must be a whole number of seconds/,
      ],
      [
        'a machine timeout over a year',
        { timeout: Duration.days(400) },
        /timeout must be a whole number of seconds from 1 to 31536000/,
      ],
      [
        'a sub-second retry interval',
        { retryInterval: Duration.millis(200) },
        /retryInterval must be a whole number of seconds/,
      ],
      [
        'a maximum delay below the interval',
        { retryInterval: Duration.seconds(5), maxRetryDelay: Duration.seconds(2) },
        /maxRetryDelay \(2 seconds\) must be at least retryInterval \(5 seconds\)/,
      ],
      ['negative retries', { maxRetryAttempts: -1 }, /maxRetryAttempts must be an integer from 0/],
      [
        'fractional compensation retries',
        { compensationRetryAttempts: 2.5 },
        /compensationRetryAttempts must be an integer from 0/,
      ],
    ])('refuses %s, naming the prop', (_case, overrides, message) => {
      expect(() => sagaOn(unbundledStack(), overrides)).toThrow(message);
      expect(() => sagaOn(unbundledStack(), overrides)).toThrow(/^PlaceOrderSaga Saga: /);
    });
  });
});
