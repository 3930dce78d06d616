/**
 * State machines built from real CDK constructs (`aws-stepfunctions` and `-tasks`), synthesized in
 * process and resolved as the local cloud resolves templates, plus the handler bundle their Lambda
 * functions run in worker threads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { LoadedResource } from '../../src/cloud/loaders';
import { resolveStack } from '../../src/template/resolve-stack';
import type { CfnTemplate } from '../../src/template/template-types';

export const SAGA_FUNCTIONS = ['reserve', 'charge', 'ship', 'release', 'notify', 'approve'] as const;
export const LEDGER_TABLE = 'saga-ledger';

const HANDLERS_JS = `
class NamedError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

exports.reserve = async (event) => {
  if (event.attempt < event.failTimes) {
    throw new NamedError('InventoryUnavailable', 'attempt ' + event.attempt + ': no stock yet');
  }
  return { reservationId: 'r-' + event.orderId, attempt: event.attempt };
};

exports.charge = async (event) => {
  if (event.decline) throw new NamedError('PaymentDeclined', 'card for ' + event.orderId + ' declined');
  return { chargeId: 'c-' + event.orderId };
};

exports.ship = async (event) => ({ trackingId: 't-' + event.orderId });

exports.release = async (event) => ({ released: event.reservation.reservationId, error: event.error });

exports.notify = async (event) => ({ notified: event.orderId, reason: event.error.Error });

exports.approve = async (event) => ({ accepted: event.orderId });
`;

export interface HandlerBundle {
  readonly codeDir: string;
  remove(): void;
}

export function writeSagaHandlers(): HandlerBundle {
  const codeDir = mkdtempSync(path.join(os.tmpdir(), 'saga-handlers-'));
  writeFileSync(path.join(codeDir, 'index.js'), HANDLERS_JS);
  return { codeDir, remove: () => rmSync(codeDir, { recursive: true, force: true }) };
}

/** The state machines' resources (and everything else of the stack), resolved to local names. */
export function synthesizeSagaStack(): LoadedResource[] {
  const app = new App();
  const stack = new Stack(app, 'SagaStack');
  const fn = (name: (typeof SAGA_FUNCTIONS)[number]) =>
    new lambda.Function(stack, `${name}Function`, {
      functionName: `saga-${name}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: `index.${name}`,
      // The test registers the real code from its own bundle.
      code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    });

  // Reserve → Charge → Ship, with Charge's failure compensated by Release → Notify → Fail.
  const reserve = new tasks.LambdaInvoke(stack, 'ReserveInventory', {
    lambdaFunction: fn('reserve'),
    payload: sfn.TaskInput.fromObject({
      orderId: sfn.JsonPath.stringAt('$.orderId'),
      attempt: sfn.JsonPath.numberAt('$$.State.RetryCount'),
      failTimes: sfn.JsonPath.numberAt('$.failReserveTimes'),
    }),
    resultSelector: { 'reservationId.$': '$.Payload.reservationId' },
    resultPath: '$.reservation',
  });
  reserve.addRetry({
    errors: ['InventoryUnavailable'],
    interval: Duration.seconds(1),
    maxAttempts: 2,
    backoffRate: 2,
  });
  const charge = new tasks.LambdaInvoke(stack, 'ChargePayment', {
    lambdaFunction: fn('charge'),
    payload: sfn.TaskInput.fromObject({
      orderId: sfn.JsonPath.stringAt('$.orderId'),
      decline: sfn.JsonPath.objectAt('$.decline'),
    }),
    resultPath: '$.charge',
  });
  charge.addRetry({ errors: ['PaymentDeclined'], interval: Duration.seconds(1), maxAttempts: 1 });
  const release = new tasks.LambdaInvoke(stack, 'ReleaseInventory', {
    lambdaFunction: fn('release'),
    resultPath: '$.release',
  });
  const notify = new tasks.LambdaInvoke(stack, 'NotifyCustomer', {
    lambdaFunction: fn('notify'),
    payloadResponseOnly: true,
    resultPath: '$.notification',
  });
  charge.addCatch(
    release
      .next(notify)
      .next(new sfn.Fail(stack, 'OrderFailed', { error: 'OrderFailed', cause: 'payment declined' })),
    { resultPath: '$.error' },
  );
  const ship = new tasks.LambdaInvoke(stack, 'ShipOrder', {
    lambdaFunction: fn('ship'),
    payloadResponseOnly: true,
    resultPath: '$.shipment',
  });
  new sfn.StateMachine(stack, 'OrdersSaga', {
    stateMachineName: 'orders-saga',
    definitionBody: sfn.DefinitionBody.fromChainable(reserve.next(charge).next(ship)),
  });

  // A callback that waits for SendTaskSuccess/Failure, with a heartbeat, and one with a deadline.
  const approveFunction = fn('approve');
  const approval = (
    id: string,
    timeouts: Pick<tasks.LambdaInvokeProps, 'heartbeatTimeout' | 'taskTimeout'>,
  ) =>
    new tasks.LambdaInvoke(stack, id, {
      lambdaFunction: approveFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        token: sfn.JsonPath.taskToken,
        orderId: sfn.JsonPath.stringAt('$.orderId'),
      }),
      resultPath: '$.approval',
      ...timeouts,
    });
  new sfn.StateMachine(stack, 'Approval', {
    stateMachineName: 'order-approval',
    definitionBody: sfn.DefinitionBody.fromChainable(
      approval('AwaitApproval', {
        // Wide enough that a heartbeat every 300 ms is never late, whatever else the machine is doing.
        heartbeatTimeout: sfn.Timeout.duration(Duration.seconds(3)),
        taskTimeout: sfn.Timeout.duration(Duration.seconds(20)),
      }),
    ),
  });
  new sfn.StateMachine(stack, 'ApprovalDeadline', {
    stateMachineName: 'order-approval-deadline',
    definitionBody: sfn.DefinitionBody.fromChainable(
      approval('AwaitApprovalBriefly', { taskTimeout: sfn.Timeout.duration(Duration.seconds(1)) }),
    ),
  });

  // An EXPRESS machine, for StartSyncExecution.
  new sfn.StateMachine(stack, 'Quote', {
    stateMachineName: 'order-quote',
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(
      new sfn.Pass(stack, 'QuoteOrder', { parameters: { 'orderId.$': '$.orderId', quoted: true } }),
    ),
  });

  // DynamoDB put (refusing duplicates) and get.
  const table = new dynamodb.Table(stack, 'Ledger', {
    tableName: LEDGER_TABLE,
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const put = new tasks.DynamoPutItem(stack, 'RecordOrder', {
    table,
    item: {
      pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.orderId')),
      total: tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.stringAt('$.total')),
    },
    conditionExpression: 'attribute_not_exists(pk)',
    resultPath: '$.put',
  });
  put.addCatch(new sfn.Pass(stack, 'AlreadyRecorded'), {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
    resultPath: '$.error',
  });
  const get = new tasks.DynamoGetItem(stack, 'ReadOrder', {
    table,
    key: { pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.orderId')) },
    resultSelector: { 'item.$': '$.Item' },
    resultPath: '$.read',
  });
  new sfn.StateMachine(stack, 'LedgerMachine', {
    stateMachineName: 'orders-ledger',
    definitionBody: sfn.DefinitionBody.fromChainable(put.next(get)),
  });

  const template = app.synth().getStackByName('SagaStack').template as CfnTemplate;
  const resolved = resolveStack('SagaStack', template, { sqsEndpoint: 'http://127.0.0.1:4566' });
  return Object.entries(resolved.resources).map(([logicalId, resource]) => ({
    stackName: 'SagaStack',
    logicalId,
    ...resource,
  }));
}
