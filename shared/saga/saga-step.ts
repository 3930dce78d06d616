/**
 * The one adapter between Step Functions and a context's saga step: every step of the PlaceOrder saga,
 * in orders, inventory and payments, is a Lambda handler built by `sagaStep`.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type * as z from 'zod';
import { ValidationError, type ErrorDetail } from '../errors/app-error';
import { houseStyleReasons, validationErrorFromZod } from '../http/validation-error-from-zod';
import { logger as sharedLogger } from '../observability/logger';
import { annotate } from '../observability/tracer';
import { withRequestContext } from '../observability/with-request-context';
import type { KeyedLogger } from '../observability/app-logger';
import { definedProps } from '../objects/defined-props';

/** The error name every step's contract gives an input it does not take. */
export const INVALID_SAGA_INPUT = 'InvalidSagaInput';

/**
 * A step's input breaks its contract: a defect of the state machine, which no retry can mend. Lambda
 * reports `name` as the invocation's `errorType`; the state machine fails on it.
 */
export class InvalidSagaInputError extends ValidationError {
  override readonly name = INVALID_SAGA_INPUT;

  constructor(message: string, details: readonly ErrorDetail[]) {
    super(message, details, 'INVALID_SAGA_INPUT');
  }
}

/**
 * The step's input, or `InvalidSagaInputError` naming every problem (as the HTTP kernel phrases them),
 * after the step's name: the message is the cause the execution's history shows.
 */
export function parseSagaInput<S extends z.ZodType>(schema: S, event: unknown, step: string): z.output<S> {
  const result = schema.safeParse(event, { error: houseStyleReasons });
  if (result.success) return result.data;
  const { message, details } = validationErrorFromZod(result.error, 'input');
  throw new InvalidSagaInputError(`${step}: ${message}`, details);
}

/**
 * An outcome under the name the state machine's `Retry` and `Catch` match on (the contract's), whatever
 * class raised it underneath (kept as `cause`).
 */
export class SagaStepError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** An error the saga expects of a step, and what it is called in the contract. */
export interface SagaStepOutcome {
  /** Errors of this class (or already of this name) end the step as this outcome. */
  readonly error: abstract new (...args: never[]) => Error;
  /** The contract's name: the error is thrown on under it. */
  readonly name: string;
  /**
   * A business outcome the saga compensates for (logged at INFO), rather than a failure it retries or
   * waits out (WARN). @default true
   */
  readonly business?: boolean;
  /** The outcome metric's suffix, e.g. `Declined` → `ChargeDeclined`. @default the outcome's name */
  readonly metric?: string;
}

/** What the step's use case is given: the flow it belongs to, and the invocation's time left. */
export interface SagaStepFlow {
  /** The saga's correlation id, or the order's id when the input has none. */
  readonly correlationId: string;
  /** The Lambda request that caused the step's events (the step's name outside Lambda). */
  readonly causationId: string;
  /** Milliseconds before Lambda ends the invocation; absent outside Lambda. */
  readonly remainingTimeMs?: () => number;
}

/** The part of the Lambda context a step reads. */
export interface SagaStepInvocation {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

/** The metrics a step publishes; the Powertools `Metrics` fits. */
export interface SagaStepMetrics {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  publishStoredMetrics(): void;
}

/** One metric per outcome, `<prefix><suffix>`, flushed (EMF) before the step returns. */
export interface SagaStepCounting<R> {
  readonly metrics: SagaStepMetrics;
  /** e.g. `Charge` → `ChargeCaptured`, `ChargeDeclined`, `ChargeFailed`. */
  readonly prefix: string;
  /** The suffix of a success, e.g. `Captured`. */
  readonly succeeded: string;
  /** Further counts of a success, e.g. the number of refunds. */
  readonly resultMetrics?: (result: R) => Readonly<Record<string, number>>;
}

export interface SagaStepOptions<S extends z.ZodType<{ orderId: string; correlationId?: string }>, R> {
  /** Names the step in logs, e.g. `charge-payment`. */
  readonly step: string;
  /** The step's input; unknown fields are ignored, whatever else is wrong is `InvalidSagaInput`. */
  readonly input: S;
  /** The errors the saga expects of the step; any other is thrown on as it is, and logged as unexpected. */
  readonly outcomes?: readonly SagaStepOutcome[];
  /** What a success's log line says besides the step, e.g. the lines reserved. */
  readonly describe?: (result: R) => Readonly<Record<string, unknown>>;
  /** @default the shared Powertools logger */
  readonly logger?: KeyedLogger;
  /** Outcome metrics. @default none */
  readonly counting?: SagaStepCounting<R>;
  readonly run: (input: z.output<S>, flow: SagaStepFlow) => Promise<R>;
}

export type SagaStepHandler<R> = (event: unknown, invocation?: SagaStepInvocation) => Promise<R>;

/**
 * A Lambda handler for a step of the PlaceOrder saga, invoked by Step Functions with the step's input
 * as the payload: validates the input (`InvalidSagaInput` when it breaks the contract), annotates the
 * trace with the order, runs the use case with the order and correlation ids on every log line, names
 * the expected outcomes as the contract does, and counts each outcome.
 */
export function sagaStep<S extends z.ZodType<{ orderId: string; correlationId?: string }>, R>(
  options: SagaStepOptions<S, R>,
): SagaStepHandler<R> {
  const logger = options.logger ?? sharedLogger;
  const count = (suffix: string, value = 1): void => {
    options.counting?.metrics.addMetric(`${options.counting.prefix}${suffix}`, MetricUnit.Count, value);
  };
  const publish = (): void => options.counting?.metrics.publishStoredMetrics();
  return async (event, invocation) => {
    let input: z.output<S>;
    try {
      input = parseSagaInput(options.input, event, options.step);
    } catch (error) {
      logger.error('Saga step invoked with an input its contract forbids', {
        step: options.step,
        ...idsIn(event),
        error,
      });
      count('InvalidInput');
      publish();
      throw error;
    }
    // Only the PlaceOrder state machine runs these steps: its orders are orchestrated.
    annotate({ orderId: input.orderId, sagaStyle: 'orchestrated' });
    const correlationId = input.correlationId ?? input.orderId;
    const remaining = invocation?.getRemainingTimeInMillis?.bind(invocation);
    const flow: SagaStepFlow = {
      correlationId,
      causationId: invocation?.awsRequestId ?? options.step,
      ...definedProps({ remainingTimeMs: remaining }),
    };
    return withRequestContext(
      { correlationId, orderId: input.orderId, sagaStep: options.step },
      async () => {
        try {
          const result = await options.run(input, flow);
          count(options.counting?.succeeded ?? 'Succeeded');
          for (const [name, value] of Object.entries(options.counting?.resultMetrics?.(result) ?? {})) {
            count(name, value);
          }
          logger.info('Saga step succeeded', { step: options.step, ...options.describe?.(result) });
          return result;
        } catch (error) {
          throw outcomeOf(error, options, logger, count);
        } finally {
          publish();
        }
      },
      logger,
    );
  };
}

/** The error to end the task with: an expected outcome under its contract name, anything else as it is. */
function outcomeOf(
  error: unknown,
  options: Pick<SagaStepOptions<never, unknown>, 'step' | 'outcomes'>,
  logger: KeyedLogger,
  count: (suffix: string) => void,
): unknown {
  const name = error instanceof Error ? error.name : undefined;
  const outcome = options.outcomes?.find(
    (expected) => error instanceof expected.error || (name !== undefined && name === expected.name),
  );
  if (outcome === undefined || !(error instanceof Error)) {
    count('Failed');
    logger.error('Saga step failed with an unexpected error', { step: options.step, error });
    return error;
  }
  count(outcome.metric ?? outcome.name);
  if (outcome.business ?? true) {
    logger.info('Saga step ended with a business outcome', {
      step: options.step,
      outcome: outcome.name,
      reason: error.message,
    });
  } else {
    logger.warn('Saga step failed', { step: options.step, outcome: outcome.name, error });
  }
  return error.name === outcome.name
    ? error
    : new SagaStepError(outcome.name, error.message, { cause: error });
}

/** The order and correlation ids of an input that is not valid, where they can be read. */
function idsIn(event: unknown): { orderId?: string; correlationId?: string } {
  if (typeof event !== 'object' || event === null) return {};
  const { orderId, correlationId } = event as Record<string, unknown>;
  return {
    ...(typeof orderId === 'string' ? { orderId } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
}
