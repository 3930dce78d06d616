import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  executionArnOf,
  StepFunctionsSagaStarter,
  StepFunctionsSagaStatus,
} from '../../../functions/orders/adapters/step-functions-saga';
import { StepFunctionsTaskCallbacks } from '../../../shared/saga/task-callbacks';
import type { PlaceOrderSagaInput } from '../../../functions/orders/contracts/place-order-saga';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { CARD, KEYBOARD, USER_ID } from './fakes';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:PlaceOrderSagaStateMachine1A2B3C';
const ORDER_ID = 'ord_01JD0000000000000000000051';
const EXECUTION = `arn:aws:states:us-east-1:123456789012:execution:PlaceOrderSagaStateMachine1A2B3C:${ORDER_ID}`;
const metadata = { $metadata: {} };

function sfn() {
  const client = new SFNClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { client, mock: mockClient(client) };
}

const input: PlaceOrderSagaInput = {
  orderId: ORDER_ID,
  userId: USER_ID,
  items: [{ productId: KEYBOARD, quantity: 1, unitPriceCents: 4_999 }],
  totalCents: 4_999,
  currency: 'USD',
  payment: CARD,
  correlationId: 'flow-1',
};

describe('the Step Functions adapters of the saga', () => {
  it('derives an execution ARN from the machine’s, and refuses what is not a machine ARN', () => {
    expect(executionArnOf(MACHINE, ORDER_ID)).toBe(EXECUTION);
    expect(() => executionArnOf('arn:aws:lambda:us-east-1:123456789012:function:x', ORDER_ID)).toThrow(
      /is not the ARN of a state machine/,
    );
  });

  describe('StepFunctionsSagaStarter', () => {
    it('starts an execution named after the order, with the input and the trace header', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });

      // Act
      const outcome = await new StepFunctionsSagaStarter({ client, stateMachineArn: MACHINE }).start(input, {
        traceHeader: 'Root=1-a-b',
      });

      // Assess
      expect(outcome).toBe('started');
      expect(mock.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
        stateMachineArn: MACHINE,
        name: ORDER_ID,
        input: JSON.stringify(input),
        traceHeader: 'Root=1-a-b',
      });
    });

    it('answers already-started when the execution exists, and lets other errors through', async () => {
      // Prepare
      const { client, mock } = sfn();
      const starter = new StepFunctionsSagaStarter({ client, stateMachineArn: MACHINE });
      mock
        .on(StartExecutionCommand)
        .rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists', ...metadata }))
        .rejectsOnce(new Error('socket hang up'));

      // Act
      const first = await starter.start(input);
      const second = starter.start(input);

      // Assess
      expect(first).toBe('already-started');
      await expect(second).rejects.toThrow('socket hang up');
    });
  });

  describe('StepFunctionsTaskCallbacks', () => {
    it('sends SendTaskSuccess with the output as JSON, and SendTaskFailure with error and cause', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(SendTaskSuccessCommand).resolves({});
      mock.on(SendTaskFailureCommand).resolves({});
      const callbacks = new StepFunctionsTaskCallbacks({ client });

      // Act
      const succeeded = await callbacks.succeed('token-1', { decision: 'approve' });
      const failed = await callbacks.fail('token-2', 'ApprovalRejected', 'too large');

      // Assess
      expect([succeeded, failed]).toEqual(['delivered', 'delivered']);
      expect(mock.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
        taskToken: 'token-1',
        output: '{"decision":"approve"}',
      });
      expect(mock.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
        taskToken: 'token-2',
        error: 'ApprovalRejected',
        cause: 'too large',
      });
    });

    it.each([
      ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', ...metadata })],
      ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task does not exist', ...metadata })],
      ['InvalidToken', new InvalidToken({ message: 'Invalid Token', ...metadata })],
    ])('answers task-closed on %s', async (_label, error) => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(SendTaskSuccessCommand).rejects(error);

      // Act
      const outcome = await new StepFunctionsTaskCallbacks({ client }).succeed('token-1', {});

      // Assess
      expect(outcome).toBe('task-closed');
    });

    it('turns any other failure into DependencyUnavailableError (503)', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(SendTaskFailureCommand).rejects(new Error('connect ECONNREFUSED'));

      // Act
      const result = new StepFunctionsTaskCallbacks({ client }).fail('token-1', 'OrderCancelled', 'x');

      // Assess
      await expect(result).rejects.toThrow(DependencyUnavailableError);
    });
  });

  describe('StepFunctionsSagaStatus', () => {
    it('answers NOT_STARTED when the execution does not exist', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'nope', ...metadata }));

      // Act
      const saga = await new StepFunctionsSagaStatus({ client, stateMachineArn: MACHINE }).describe(ORDER_ID);

      // Assess
      expect(saga).toEqual({ executionArn: EXECUTION, status: 'NOT_STARTED' });
      expect(mock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
        executionArn: EXECUTION,
      });
    });

    it('answers a finished execution’s status without reading its history', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });

      // Act
      const saga = await new StepFunctionsSagaStatus({ client, stateMachineArn: MACHINE }).describe(ORDER_ID);

      // Assess
      expect(saga).toEqual({ executionArn: EXECUTION, status: 'SUCCEEDED' });
      expect(mock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
    });

    it('names the state a running execution last entered, from its latest history events', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
      mock.on(GetExecutionHistoryCommand).resolves({
        events: [
          { id: 9, type: 'TaskScheduled', timestamp: new Date() },
          {
            id: 8,
            type: 'TaskStateEntered',
            timestamp: new Date(),
            stateEnteredEventDetails: { name: 'WaitForApproval' },
          },
          {
            id: 7,
            type: 'ChoiceStateExited',
            timestamp: new Date(),
            stateExitedEventDetails: { name: 'NeedsApproval' },
          },
          {
            id: 6,
            type: 'ChoiceStateEntered',
            timestamp: new Date(),
            stateEnteredEventDetails: { name: 'NeedsApproval' },
          },
        ],
      });

      // Act
      const saga = await new StepFunctionsSagaStatus({ client, stateMachineArn: MACHINE }).describe(ORDER_ID);

      // Assess
      expect(saga).toEqual({ executionArn: EXECUTION, status: 'RUNNING', currentStep: 'WaitForApproval' });
      expect(mock.commandCalls(GetExecutionHistoryCommand)[0]?.args[0].input).toEqual({
        executionArn: EXECUTION,
        reverseOrder: true,
        maxResults: 20,
        includeExecutionData: false,
      });
    });

    it('answers a running execution without its step when the history cannot be read, and says so', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
      mock.on(GetExecutionHistoryCommand).rejects(new Error('timeout'));
      const told: string[] = [];

      // Act
      const saga = await new StepFunctionsSagaStatus({
        client,
        stateMachineArn: MACHINE,
        onHistoryError: (_error, executionArn) => told.push(executionArn),
      }).describe(ORDER_ID);

      // Assess
      expect(saga).toEqual({ executionArn: EXECUTION, status: 'RUNNING' });
      expect(told).toEqual([EXECUTION]);
    });

    it('throws DependencyUnavailableError when the execution cannot be described', async () => {
      // Prepare
      const { client, mock } = sfn();
      mock.on(DescribeExecutionCommand).rejects(new Error('connect ECONNREFUSED'));

      // Act
      const result = new StepFunctionsSagaStatus({ client, stateMachineArn: MACHINE }).describe(ORDER_ID);

      // Assess
      await expect(result).rejects.toThrow(DependencyUnavailableError);
    });

    it('refuses, when built, an ARN that is not a state machine’s', () => {
      const { client } = sfn();
      expect(() => new StepFunctionsSagaStatus({ client, stateMachineArn: EXECUTION })).toThrow(
        /is not the ARN of a state machine/,
      );
    });
  });
});
