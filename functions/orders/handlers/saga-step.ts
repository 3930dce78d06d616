import type * as z from 'zod';
import { errorMessage } from '../../../shared/errors/error-message';
import type { CommandContext } from '../../../shared/event-sourcing';
import type { LambdaContext } from '../../../shared/http';
import { parseWithSchema } from '../../../shared/http';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import { ORDER_SAGA_ERRORS, type OrderSagaErrorName } from '../contracts/place-order-saga';
import type { CommandContextFactory } from './command-context';
import { annotate } from '../../../shared/observability/tracer';

/**
 * An error a saga step ends its task with. Lambda reports `name` as the invocation's `errorType`, and
 * Step Functions matches its `Retry` and `Catch` on that: the names are the contract
 * (`ORDER_SAGA_ERRORS`), whatever class raised the outcome underneath (kept as `cause`).
 */
export class SagaStepError extends Error {
  constructor(name: OrderSagaErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** The step's input does not match its schema: a bug in the state machine, which no retry fixes. */
export class InvalidSagaInputError extends SagaStepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ORDER_SAGA_ERRORS.invalidInput, message, options);
  }
}

export type SagaStepLogger = {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
};

/** A class of error that is a business outcome of the step, and the name the state machine knows it by. */
export type BusinessOutcome = readonly [
  errorClass: abstract new (...args: never[]) => Error,
  name: OrderSagaErrorName,
];

export interface SagaStepOptions<S extends z.ZodType<{ orderId: string; correlationId?: string }>, R> {
  /** Names the step in logs and in `InvalidSagaInput` messages, e.g. `confirm-order`. */
  readonly step: string;
  readonly input: S;
  /** The errors that end the task as business outcomes; every other error is thrown as it is. */
  readonly outcomes?: readonly BusinessOutcome[];
  readonly commandContext: CommandContextFactory;
  /** @default the shared Powertools logger */
  readonly logger?: SagaStepLogger;
  readonly run: (input: z.output<S>, context: CommandContext) => Promise<R>;
}

/**
 * A Lambda handler for a step of the PlaceOrder saga (invoked by Step Functions with the payload as
 * the event): validates the payload (a malformed one throws `InvalidSagaInput`), runs the use case
 * with the order and correlation ids on every log line, and renames business outcomes to the
 * contract's error names.
 */
export function sagaStep<S extends z.ZodType<{ orderId: string; correlationId?: string }>, R>(
  options: SagaStepOptions<S, R>,
): (event: unknown, context?: LambdaContext) => Promise<R> {
  const logger = options.logger ?? sharedLogger;
  return async (event, context) => {
    let input: z.output<S>;
    try {
      input = parseWithSchema(options.input, event, 'input');
    } catch (error) {
      const message = errorMessage(error);
      logger.warn('Saga step called with a malformed input', { step: options.step, error });
      throw new InvalidSagaInputError(`${options.step}: ${message}`, { cause: error });
    }
    // Only the PlaceOrder state machine runs these steps: its orders are orchestrated.
    annotate({ orderId: input.orderId, sagaStyle: 'orchestrated' });
    // A step without the flow's correlation id still joins the order's logs by its id.
    const correlationId = input.correlationId ?? input.orderId;
    return withRequestContext({ correlationId, orderId: input.orderId, sagaStep: options.step }, async () => {
      try {
        return await options.run(
          input,
          options.commandContext({ correlationId, causationId: context?.awsRequestId ?? options.step }),
        );
      } catch (error) {
        const outcome = options.outcomes?.find(([errorClass]) => error instanceof errorClass);
        if (outcome === undefined || !(error instanceof Error)) throw error;
        logger.info('Saga step ended with a business outcome', { step: options.step, outcome: outcome[1] });
        throw new SagaStepError(outcome[1], error.message, { cause: error });
      }
    });
  };
}
