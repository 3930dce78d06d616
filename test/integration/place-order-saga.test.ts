import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import {
  DeleteMessageCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalCloud, eventually, localClientConfig } from 'cdk-local-cloud';
import {
  FIXTURE_COMPENSATION_RETRY_ATTEMPTS,
  FIXTURE_PAYMENT_WAITS,
  PLACE_ORDER_SAGA_MACHINE,
  PLACE_ORDER_SAGA_STACK,
  QUICK_APPROVAL_SAGA_MACHINE,
} from '../fixtures/place-order-saga-app';
import { newId } from '../../shared/ids/ids';
import { startShopCloud } from '../support/shop-cloud';
import { CANCEL_AND_RELEASE, CANCEL_REFUND_AND_RELEASE } from '../support/place-order-saga-paths';

/**
 * The PlaceOrder saga construct on the local cloud's Step Functions, with fake steps whose behaviour
 * the order picks (test/fixtures/functions/place-order-saga-steps.ts): every path's states, in order,
 * read back from the execution history.
 */

let cloud: LocalCloud;
let sfn: SFNClient;
let sqs: SQSClient;

beforeAll(async () => {
  // The saga construct alone, on fake steps: the real app's boot options on the saga's fixture app.
  ({ cloud } = await startShopCloud({ appCommand: 'npx tsx test/fixtures/place-order-saga-app.ts' }));
  sfn = new SFNClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  sqs = new SQSClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
}, 120_000);

afterEach(async () => {
  if (cloud) await fetch(`${cloud.apiUrl}/_local/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  sfn?.destroy();
  sqs?.destroy();
  await cloud?.stop();
});

const machineArn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

/** The customer of every order here: the payments steps are handed it from the saga's input. */
const CUSTOMER_ID = newId('user');

/** A saga input as `start-order-saga` passes it: 3,000 minor units, under the approval threshold. */
function sagaInput(orderId: string, overrides: Record<string, unknown> = {}) {
  return {
    orderId,
    userId: CUSTOMER_ID,
    items: [{ productId: 'prd_1', quantity: 2, unitPriceCents: 1500 }],
    totalCents: 3000,
    currency: 'USD',
    payment: { method: 'card', token: 'tok_visa' },
    correlationId: `corr-${orderId}`,
    ...overrides,
  };
}

async function startSaga(
  input: { orderId: string },
  machine = PLACE_ORDER_SAGA_MACHINE,
  name = input.orderId,
): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: machineArn(machine),
      name,
      input: JSON.stringify(input),
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  return executionArn;
}

async function closedExecution(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return eventually(
    async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    },
    { timeoutMs: 20_000, what: `${executionArn} to close` },
  );
}

async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events ?? [];
}

/** The states the execution entered, in order, as GetExecutionHistory records them. */
function statesEntered(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
}

/** How often each state's Lambda function was invoked (first attempt plus retries). */
function attemptsOf(events: readonly HistoryEvent[], state: string): number {
  let current: string | undefined;
  let attempts = 0;
  for (const event of events) {
    if (event.stateEnteredEventDetails?.name) current = event.stateEnteredEventDetails.name;
    if (current === state && event.type === 'LambdaFunctionScheduled') attempts++;
  }
  return attempts;
}

/** The payload the state's function got on its first invocation. */
function stepInputOf(events: readonly HistoryEvent[], state: string): unknown {
  let current: string | undefined;
  for (const event of events) {
    if (event.stateEnteredEventDetails?.name) current = event.stateEnteredEventDetails.name;
    const input = event.lambdaFunctionScheduledEventDetails?.input;
    if (current === state && input !== undefined) return JSON.parse(input) as unknown;
  }
  throw new Error(`${state} invoked no function`);
}

function outputOf(described: DescribeExecutionCommandOutput): Record<string, unknown> {
  return JSON.parse(described.output ?? 'null') as Record<string, unknown>;
}

interface ParkedSaga {
  readonly executionArn: string;
  readonly orderId: string;
  readonly failedStep: string;
  readonly error: string;
  readonly cause: string;
  readonly compensation: Record<string, unknown>;
}

/** The URL of the parked-sagas queue of the construct `constructId` (its name is generated). */
async function parkedQueueUrlOf(stack: string, constructId: string): Promise<string> {
  const { QueueUrls = [] } = await sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: `${stack}-${constructId}ParkedSagas` }),
  );
  const [url, ...others] = QueueUrls;
  if (url === undefined || others.length > 0)
    throw new Error(`not one parked queue: ${QueueUrls.join(', ')}`);
  return url;
}

/** The parked-queue message of the execution (each test deletes its own). */
async function parkedMessageOf(queueUrl: string, executionArn: string) {
  return eventually(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) {
        const parked = JSON.parse(message.Body ?? 'null') as ParkedSaga;
        if (parked.executionArn === executionArn) return { message, parked };
      }
      return undefined;
    },
    { what: `the parked message of ${executionArn}` },
  );
}

/** Sets a fault over `/_local/faults`, as anyone can with curl. */
async function setFault(fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${cloud.apiUrl}/_local/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (response.status !== 201) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
}

/** Waits until WaitForApproval's callback is submitted; returns the token request-approval received. */
async function approvalTokenOf(executionArn: string): Promise<string> {
  return eventually(
    async () => {
      const events = await historyOf(executionArn);
      if (!events.some((event) => event.type === 'TaskSubmitted')) return undefined;
      const scheduled = events.find((event) => event.type === 'TaskScheduled');
      const parameters = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}') as {
        Payload?: { taskToken?: string };
      };
      return parameters.Payload?.taskToken;
    },
    { what: 'the approval task token' },
  );
}

const FORWARD_WITHOUT_APPROVAL = [
  'IsRedrive',
  'ReserveStock',
  'NeedsApproval',
  'EnsureOrderActive',
  'ChargePayment',
  'CommitStock',
  'ConfirmOrder',
];

describe('PlaceOrderSaga on the local cloud', () => {
  it('loads both machines with nothing refused', () => {
    expect(cloud.summary.stateMachines).toEqual(
      expect.arrayContaining([
        `${PLACE_ORDER_SAGA_MACHINE} (STANDARD)`,
        `${QUICK_APPROVAL_SAGA_MACHINE} (STANDARD)`,
      ]),
    );
    expect(cloud.summary.unsupported.filter((line) => line.includes('place-order-saga'))).toEqual([]);
  });

  it('places an order under the threshold without an approval', async () => {
    // Act
    const executionArn = await startSaga(sagaInput('ord_happy'));
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const events = await historyOf(executionArn);
    expect(statesEntered(events)).toEqual([...FORWARD_WITHOUT_APPROVAL, 'OrderPlaced']);
    // The charge is the customer's: payments records whose payment it is.
    expect(stepInputOf(events, 'ChargePayment')).toEqual({
      orderId: 'ord_happy',
      userId: CUSTOMER_ID,
      amountCents: 3000,
      currency: 'USD',
      payment: { method: 'card', token: 'tok_visa' },
      correlationId: 'corr-ord_happy',
    });
    const output = outputOf(described);
    expect(output).toMatchObject({
      orderId: 'ord_happy',
      totalCents: 3000,
      reservation: { orderId: 'ord_happy', reserved: [{ productId: 'prd_1', quantity: 2 }] },
      charge: { status: 'CAPTURED', chargeId: 'ch_ord_happy', amountCents: 3000, currency: 'USD' },
      commit: { committed: [{ productId: 'prd_1', quantity: 2 }] },
      confirmation: { status: 'PAID', chargeId: 'ch_ord_happy' },
    });
    expect(output).not.toHaveProperty('compensation');
  });

  it('waits for the approval of a large order and resumes on SendTaskSuccess', async () => {
    // Prepare
    const executionArn = await startSaga(sagaInput('ord_approved', { totalCents: 250_000 }));
    const taskToken = await approvalTokenOf(executionArn);

    // Act
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"approvedBy":"ops"}' }));
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const events = await historyOf(executionArn);
    expect(statesEntered(events)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'WaitForApproval',
      'EnsureOrderActive',
      'ChargePayment',
      'CommitStock',
      'ConfirmOrder',
      'OrderPlaced',
    ]);
    const scheduled = events.find((event) => event.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      resource: 'invoke.waitForTaskToken',
      timeoutInSeconds: 300,
    });
    expect(JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}')).toMatchObject({
      Payload: { orderId: 'ord_approved', taskToken, correlationId: 'corr-ord_approved' },
    });
    expect(outputOf(described).approval).toEqual({ approvedBy: 'ops' });
  });

  it.each([
    [
      'out of stock',
      'ord_out_of_stock',
      { items: [{ productId: 'prd_sold_out', quantity: 1 }] },
      'ReserveStock',
      'ReserveStockOutOfStock',
      'OUT_OF_STOCK',
      'OutOfStock',
    ],
    [
      'a declined card',
      'ord_declined',
      { payment: { method: 'card', token: 'tok_decline' } },
      'ChargePayment',
      'ChargePaymentDeclined',
      'PAYMENT_DECLINED',
      'PaymentDeclined',
    ],
  ] as const)(
    'compensates %s by releasing the stock and cancelling, without a refund',
    async (_path, orderId, overrides, failedStep, recorded, reason, error) => {
      // Act
      const executionArn = await startSaga(sagaInput(orderId, overrides));
      const described = await closedExecution(executionArn);

      // Assess
      expect(described.status).toBe('SUCCEEDED');
      const entered = statesEntered(await historyOf(executionArn));
      expect(entered.slice(entered.indexOf(failedStep))).toEqual([
        failedStep,
        recorded,
        ...CANCEL_AND_RELEASE,
      ]);
      expect(entered).not.toContain('RefundPayment');
      const output = outputOf(described);
      expect(output.compensation).toEqual({
        reason,
        failedStep,
        error: { Error: error, Cause: expect.any(String) },
        chargeMayExist: false,
      });
      expect(output.cancellation).toEqual({ orderId, status: 'CANCELLED', reason });
    },
  );

  it.each([
    ['an approver rejects it', 'ApprovalRejected', 'WaitForApprovalRejected', 'APPROVAL_REJECTED'],
    ['the customer cancels it', 'OrderCancelled', 'WaitForApprovalCancelled', 'CUSTOMER_CANCELLED'],
  ] as const)(
    'cancels a waiting order when %s (SendTaskFailure %s)',
    async (_who, error, recorded, reason) => {
      // Prepare
      const orderId = `ord_${recorded}`;
      const executionArn = await startSaga(sagaInput(orderId, { totalCents: 100_000 }));
      const taskToken = await approvalTokenOf(executionArn);

      // Act
      await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause: 'decided by a person' }));
      const described = await closedExecution(executionArn);

      // Assess
      expect(described.status).toBe('SUCCEEDED');
      expect(statesEntered(await historyOf(executionArn))).toEqual([
        'IsRedrive',
        'ReserveStock',
        'NeedsApproval',
        'WaitForApproval',
        recorded,
        ...CANCEL_AND_RELEASE,
      ]);
      expect(outputOf(described).compensation).toEqual({
        reason,
        failedStep: 'WaitForApproval',
        error: { Error: error, Cause: 'decided by a person' },
        chargeMayExist: false,
      });
    },
  );

  it('cancels with APPROVAL_TIMEOUT when no decision comes before the deadline (2 s)', async () => {
    // Act
    const executionArn = await startSaga(
      sagaInput('ord_approval_timeout', { totalCents: 500_000 }),
      QUICK_APPROVAL_SAGA_MACHINE,
    );
    const taskToken = await approvalTokenOf(executionArn);
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const events = await historyOf(executionArn);
    expect(statesEntered(events)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'WaitForApproval',
      'WaitForApprovalTimedOut',
      ...CANCEL_AND_RELEASE,
    ]);
    expect(events.map((event) => event.type)).toContain('TaskTimedOut');
    expect(outputOf(described).cancellation).toMatchObject({ reason: 'APPROVAL_TIMEOUT' });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('waits for an unavailable provider, charging again after each wait; its budget spent, refunds whatever may have been charged, releases and cancels', async () => {
    // Act
    const executionArn = await startSaga(
      sagaInput('ord_provider_down', { payment: { method: 'card', token: 'tok_unavailable' } }),
    );
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const events = await historyOf(executionArn);
    expect(statesEntered(events)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'NeedsApproval',
      'EnsureOrderActive',
      'ChargePayment',
      'PaymentWaitStarted',
      'StartPaymentWait',
      'WaitForPaymentProvider',
      ...Array.from({ length: FIXTURE_PAYMENT_WAITS - 1 }, () => [
        'ChargePayment',
        'PaymentWaitStarted',
        'PaymentWaitBudgetLeft',
        'CountPaymentWait',
        'WaitForPaymentProvider',
      ]).flat(),
      'ChargePayment',
      'PaymentWaitStarted',
      'PaymentWaitBudgetLeft',
      'ChargePaymentUnavailable',
      ...CANCEL_REFUND_AND_RELEASE,
    ]);
    // Each wait ends in a new ChargePayment; the processor's unavailability itself is not retried there.
    expect(attemptsOf(events, 'ChargePayment')).toBe(1 + FIXTURE_PAYMENT_WAITS);
    // The refund names the customer too: it may be the payment's first record.
    expect(stepInputOf(events, 'RefundPayment')).toEqual({
      orderId: 'ord_provider_down',
      userId: CUSTOMER_ID,
      method: 'card',
      correlationId: 'corr-ord_provider_down',
    });
    const waits = events.filter((event) => event.stateEnteredEventDetails?.name === 'WaitForPaymentProvider');
    expect(waits).toHaveLength(FIXTURE_PAYMENT_WAITS);
    expect(outputOf(described)).toMatchObject({
      compensation: {
        reason: 'PAYMENT_UNAVAILABLE',
        failedStep: 'ChargePayment',
        error: { Error: 'PaymentProviderUnavailable' },
      },
      refund: { orderId: 'ord_provider_down' },
      cancellation: { reason: 'PAYMENT_UNAVAILABLE' },
    });
  });

  it.each([
    [
      'the order was cancelled meanwhile',
      'ord_cancelled-meanwhile',
      'ConfirmOrder',
      'ConfirmOrderNotConfirmable',
      'CUSTOMER_CANCELLED',
    ],
    ['the reservation is gone', 'ord_commit-broken', 'CommitStock', 'CommitStockFailed', 'SAGA_FAILED'],
  ] as const)(
    'after the charge, when %s: refunds, releases and cancels without retrying the business error',
    async (_why, orderId, failedStep, recorded, reason) => {
      // Act
      const executionArn = await startSaga(sagaInput(orderId));
      const described = await closedExecution(executionArn);

      // Assess
      expect(described.status).toBe('SUCCEEDED');
      const events = await historyOf(executionArn);
      const entered = statesEntered(events);
      expect(entered.slice(entered.indexOf('ChargePayment'))).toEqual([
        'ChargePayment',
        ...(failedStep === 'ConfirmOrder' ? ['CommitStock'] : []),
        failedStep,
        recorded,
        ...CANCEL_REFUND_AND_RELEASE,
      ]);
      expect(attemptsOf(events, failedStep)).toBe(1);
      expect(outputOf(described).cancellation).toEqual({ orderId, status: 'CANCELLED', reason });
    },
  );

  it('undoes nothing and ends as placed, without retries, when CancelOrder finds the order paid (OrderNotCancellable)', async () => {
    // Act: CommitStock fails, and CancelOrder finds the order paid (a confirmation whose answer was lost).
    const executionArn = await startSaga(sagaInput('ord_already-paid_commit-broken'));
    const described = await closedExecution(executionArn);

    // Assess: cancelled first, so the refusal comes before any refund or release.
    expect(described.status).toBe('SUCCEEDED');
    const events = await historyOf(executionArn);
    expect(statesEntered(events).slice(-4)).toEqual([
      'CommitStock',
      'CommitStockFailed',
      'CancelOrder',
      'OrderAlreadyPaid',
    ]);
    expect(attemptsOf(events, 'CancelOrder')).toBe(1);
    const output = outputOf(described);
    expect(output).not.toHaveProperty('refund');
    expect(output).not.toHaveProperty('release');
    expect(output.cancellation).toMatchObject({ Error: 'OrderNotCancellable' });
  });

  it('parks the saga when a compensation keeps failing, and a redrive resumes it there', async () => {
    // Prepare: ReleaseStock fails on its first attempt and on every retry.
    const orderId = 'ord_parked';
    const parkedQueueUrl = await parkedQueueUrlOf(PLACE_ORDER_SAGA_STACK, 'Saga');
    await setFault({
      kind: 'function-error',
      target: { logicalIdPrefix: 'ReleaseStock' },
      probability: 1,
      maxCount: 1 + FIXTURE_COMPENSATION_RETRY_ATTEMPTS,
      errorType: 'InventoryUnavailable',
      errorMessage: 'the inventory cannot release',
    });

    // Act
    const executionArn = await startSaga(
      sagaInput(orderId, { items: [{ productId: 'prd_sold_out', quantity: 1 }] }),
    );
    const described = await closedExecution(executionArn);

    // Assess: parked, with what an operator needs on the queue.
    expect([described.status, described.error]).toEqual(['FAILED', 'SagaParked']);
    const events = await historyOf(executionArn);
    expect(statesEntered(events)).toEqual([
      'IsRedrive',
      'ReserveStock',
      'ReserveStockOutOfStock',
      ...CANCEL_AND_RELEASE.slice(0, -1),
      'ReleaseStockFailed',
      'ParkSaga',
      'SagaParked',
    ]);
    expect(attemptsOf(events, 'ReleaseStock')).toBe(1 + FIXTURE_COMPENSATION_RETRY_ATTEMPTS);
    const { message, parked } = await parkedMessageOf(parkedQueueUrl, executionArn);
    expect(parked).toEqual({
      executionArn,
      orderId,
      failedStep: 'ReleaseStock',
      error: 'InventoryUnavailable',
      cause: expect.stringContaining('the inventory cannot release'),
      compensation: {
        reason: 'OUT_OF_STOCK',
        failedStep: 'ReserveStock',
        error: { Error: 'OutOfStock', Cause: expect.any(String) },
        chargeMayExist: false,
      },
    });

    // Act: the documented redrive — the original input plus `redrive`, as a new execution.
    const original = await sfn.send(new DescribeExecutionCommand({ executionArn: parked.executionArn }));
    const redriveInput = {
      ...(JSON.parse(original.input ?? '{}') as { orderId: string }),
      redrive: { resumeAt: parked.failedStep, compensation: parked.compensation },
    };
    const redriveArn = await startSaga(redriveInput, PLACE_ORDER_SAGA_MACHINE, `${orderId}-redrive-1`);
    const redriven = await closedExecution(redriveArn);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: parkedQueueUrl, ReceiptHandle: message.ReceiptHandle }),
    );

    // Assess: only the compensations left, with the original reason.
    expect(redriven.status).toBe('SUCCEEDED');
    expect(statesEntered(await historyOf(redriveArn))).toEqual([
      'IsRedrive',
      'RestoreCompensation',
      'ResumeCompensation',
      'ReleaseStock',
      'OrderCancelled',
    ]);
    expect(outputOf(redriven)).toMatchObject({
      compensation: { reason: 'OUT_OF_STOCK', failedStep: 'ReserveStock' },
      release: { orderId },
    });
  });
});
