import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type * as z from 'zod';
import { houseStyleReasons, validationErrorFromZod } from '../../../shared/http/validation-error-from-zod';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import { PAYMENT_STEP_ERRORS } from '../contracts/payment-steps';
import { InvalidSagaInputError } from '../domain/errors';
import { annotate } from '../../../shared/observability/tracer';

/** The part of the Lambda context a saga step reads. */
export interface StepContext {
  getRemainingTimeInMillis(): number;
}

/** The logging a step does; the Powertools `Logger` fits it. */
export type StepLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'appendKeys' | 'removeKeys' | 'resetKeys'>;

/** The metrics a step publishes; the Powertools `Metrics` fits it. */
export interface StepMetrics {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
  publishStoredMetrics(): void;
}

export type StepHandler<R> = (event: unknown, context?: StepContext) => Promise<R>;

export interface SagaStepOptions<S extends z.ZodType<{ orderId: string; correlationId?: string }>, R> {
  /** The step's name in logs, e.g. `charge-payment`. */
  readonly step: string;
  /** Prefix of the step's outcome metrics, e.g. `Charge` → `ChargeDeclined`. */
  readonly metricPrefix: string;
  /** The outcome metric's suffix on success, e.g. `Captured`. */
  readonly succeeded: string;
  /** The step's input; unknown fields are ignored, whatever else is wrong is `InvalidSagaInput`. */
  readonly input: S;
  readonly logger: StepLogger;
  readonly metrics: StepMetrics;
  /** Extra metrics of a success, e.g. the number of refunds. */
  readonly resultMetrics?: (result: R) => Readonly<Record<string, number>>;
}

/** Outcome metric suffixes of the errors the saga matches on; any other error counts as `Failed`. */
const ERROR_SUFFIXES: Readonly<Record<string, string>> = {
  [PAYMENT_STEP_ERRORS.declined]: 'Declined',
  [PAYMENT_STEP_ERRORS.providerUnavailable]: 'ProviderUnavailable',
  [PAYMENT_STEP_ERRORS.providerRejected]: 'ProviderRejected',
  [PAYMENT_STEP_ERRORS.alreadyRefunded]: 'AlreadyRefunded',
  [PAYMENT_STEP_ERRORS.invalidInput]: 'InvalidInput',
};

/**
 * A Lambda handler for a step of the PlaceOrder saga, invoked by Step Functions with the step's input as
 * the payload. It validates the input, runs `work` with the order id and correlation id on every log
 * line, counts the outcome (one metric per outcome, flushed as EMF before it returns), and lets errors
 * propagate as they are: their `name` is what the state machine's `Retry` and `Catch` match on.
 */
export function sagaStep<S extends z.ZodType<{ orderId: string; correlationId?: string }>, R>(
  options: SagaStepOptions<S, R>,
  work: (input: z.output<S>, context: StepContext | undefined) => Promise<R>,
): StepHandler<R> {
  const { logger, metrics } = options;
  const count = (suffix: string, value = 1): void => {
    metrics.addMetric(`${options.metricPrefix}${suffix}`, MetricUnit.Count, value);
  };
  return async (event, context) => {
    let input: z.output<S>;
    try {
      input = parseSagaInput(options.input, event);
    } catch (error) {
      logger.error('The saga step was invoked with an invalid input', { step: options.step, error });
      count(ERROR_SUFFIXES[PAYMENT_STEP_ERRORS.invalidInput] ?? 'Failed');
      metrics.publishStoredMetrics();
      throw error;
    }
    // Only the PlaceOrder state machine runs these steps: its orders are orchestrated.
    annotate({ orderId: input.orderId, sagaStyle: 'orchestrated' });
    return withRequestContext(
      { orderId: input.orderId, correlationId: input.correlationId },
      async () => {
        try {
          const result = await work(input, context);
          count(options.succeeded);
          for (const [name, value] of Object.entries(options.resultMetrics?.(result) ?? {}))
            count(name, value);
          logger.info('Saga step succeeded', { step: options.step });
          return result;
        } catch (error) {
          const name = error instanceof Error ? error.name : typeof error;
          const suffix = ERROR_SUFFIXES[name];
          count(suffix ?? 'Failed');
          if (name === PAYMENT_STEP_ERRORS.declined)
            logger.info('Saga step ended in a decline', { step: options.step, error });
          else if (suffix !== undefined) logger.warn('Saga step failed', { step: options.step, error });
          else logger.error('Saga step failed with an unexpected error', { step: options.step, error });
          throw error;
        } finally {
          metrics.publishStoredMetrics();
        }
      },
      logger,
    );
  };
}

/** The step's input, or `InvalidSagaInput` naming every problem (as the HTTP kernel phrases them). */
export function parseSagaInput<S extends z.ZodType>(schema: S, event: unknown): z.output<S> {
  const result = schema.safeParse(event, { error: houseStyleReasons });
  if (result.success) return result.data;
  const { message, details } = validationErrorFromZod(result.error, 'input');
  throw new InvalidSagaInputError(message, details);
}
