import type { PlaceOrderSagaInput } from '../contracts/place-order-saga';

/** `started`, or `already-started`: an execution named after the order exists (a redelivered event). */
export type SagaStartOutcome = 'started' | 'already-started';

/** Starts the PlaceOrder saga of an order: one execution per order, named after its id. */
export interface SagaStarter {
  start(input: PlaceOrderSagaInput, options?: { readonly traceHeader?: string }): Promise<SagaStartOutcome>;
}

/** Step Functions' execution statuses, `NOT_STARTED` when there is no execution, `UNKNOWN` when it could not be asked. */
export type SagaExecutionStatus =
  | 'NOT_STARTED'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE'
  | 'UNKNOWN';

/** An order's saga execution as `GET /orders/{orderId}` shows it. */
export interface SagaExecution {
  readonly executionArn: string;
  readonly status: SagaExecutionStatus;
  /** The state the execution last entered, while it runs, e.g. `WaitForApproval`. */
  readonly currentStep?: string;
}

/** Reads an order's saga execution live. A Step Functions that cannot be reached throws. */
export interface SagaStatus {
  /** Known without asking: the execution is named after the order. */
  executionArnOf(orderId: string): string;
  describe(orderId: string): Promise<SagaExecution>;
}
