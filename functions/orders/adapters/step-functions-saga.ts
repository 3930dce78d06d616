import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import type { PlaceOrderSagaInput } from '../contracts/place-order-saga';
import type {
  SagaExecution,
  SagaExecutionStatus,
  SagaStartOutcome,
  SagaStarter,
  SagaStatus,
} from '../ports/place-order-saga';
import { definedProps } from '../../../shared/objects/defined-props';

const DEPENDENCY = 'step-functions';

/** History events read back to find the state the execution last entered. */
const HISTORY_PAGE = 20;

/**
 * The ARN of the execution named `executionName` of the standard state machine `stateMachineArn`:
 * `arn:aws:states:<region>:<account>:stateMachine:<machine>` → `…:execution:<machine>:<executionName>`.
 */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(stateMachineArn)) {
    throw new Error(`'${stateMachineArn}' is not the ARN of a state machine (…:stateMachine:<name>).`);
  }
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** `StartExecution` named after the order; `ExecutionAlreadyExists` means it was started before. */
export class StepFunctionsSagaStarter implements SagaStarter {
  constructor(private readonly props: { readonly client: SFNClient; readonly stateMachineArn: string }) {}

  async start(
    input: PlaceOrderSagaInput,
    options: { readonly traceHeader?: string } = {},
  ): Promise<SagaStartOutcome> {
    try {
      await this.props.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.props.stateMachineArn,
          name: input.orderId,
          input: JSON.stringify(input),
          ...definedProps({ traceHeader: options.traceHeader }),
        }),
      );
      return 'started';
    } catch (error) {
      // Same name, whatever the input: an execution per order, ever (names are unique for 90 days).
      if (nameOf(error) === 'ExecutionAlreadyExists') return 'already-started';
      throw error;
    }
  }
}

export interface StepFunctionsSagaStatusProps {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
  /** Told when the history of a running execution could not be read: it is answered without a step. */
  readonly onHistoryError?: (error: unknown, executionArn: string) => void;
}

/**
 * An order's execution, read live: `DescribeExecution`, and while it runs, the latest
 * `…StateEntered` among the last events of `GetExecutionHistory` (newest first).
 */
export class StepFunctionsSagaStatus implements SagaStatus {
  constructor(private readonly props: StepFunctionsSagaStatusProps) {
    // Fails at cold start, not on the first query, when the variable holds something else.
    executionArnOf(props.stateMachineArn, 'check');
  }

  executionArnOf(orderId: string): string {
    return executionArnOf(this.props.stateMachineArn, orderId);
  }

  async describe(orderId: string): Promise<SagaExecution> {
    const executionArn = this.executionArnOf(orderId);
    let status: string | undefined;
    try {
      ({ status } = await this.props.client.send(new DescribeExecutionCommand({ executionArn })));
    } catch (error) {
      if (nameOf(error) === 'ExecutionDoesNotExist') return { executionArn, status: 'NOT_STARTED' };
      throw new DependencyUnavailableError(DEPENDENCY, `The saga of ${orderId} could not be described.`, {
        cause: error,
      });
    }
    const known = knownStatus(status);
    if (known !== 'RUNNING') return { executionArn, status: known };
    const currentStep = await this.currentStep(executionArn);
    return { executionArn, status: known, ...definedProps({ currentStep }) };
  }

  private async currentStep(executionArn: string): Promise<string | undefined> {
    try {
      const { events = [] } = await this.props.client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          maxResults: HISTORY_PAGE,
          includeExecutionData: false,
        }),
      );
      const entered = events.find((event) => event.type?.endsWith('StateEntered') === true);
      return entered?.stateEnteredEventDetails?.name;
    } catch (error) {
      // The status is known; only the step is missing from the answer.
      this.props.onHistoryError?.(error, executionArn);
      return undefined;
    }
  }
}

const STATUSES: ReadonlySet<string> = new Set<SagaExecutionStatus>([
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
]);

function knownStatus(status: string | undefined): SagaExecutionStatus {
  return status !== undefined && STATUSES.has(status) ? (status as SagaExecutionStatus) : 'UNKNOWN';
}
