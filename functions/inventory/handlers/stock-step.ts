import * as z from 'zod';
import { ValidationError, type ErrorDetail } from '../../../shared/errors/app-error';
import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { idSchema } from '../../../shared/http/id-schema';
import { houseStyleReasons, validationErrorFromZod } from '../../../shared/http/validation-error-from-zod';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import type { LineOutcome, OrderStock } from '../application/change-reservation';
import { MAX_STOCK_STEP_ITEMS, STOCK_STEP_ERRORS, type StockLine, type StockStepInput } from '../contracts';
import { OutOfStockError, ReservationNotFoundError } from '../domain/errors';
import { MAX_STOCK } from '../domain/product';
import type { CommandContextFactory } from './command-context-factory';
import { annotate } from '../../../shared/observability/tracer';

/**
 * The payload of every inventory saga step (contracts/stock-steps.ts). Not strict: the state machine
 * may pass more than the step reads (the saga's input as a whole); what the step reads must be right.
 */
export const StockStepInputSchema = z.object({
  orderId: idSchema('order'),
  items: z
    .array(
      z.object({
        productId: idSchema('product'),
        quantity: z.number().int().min(1).max(MAX_STOCK),
      }),
    )
    .min(1)
    .max(MAX_STOCK_STEP_ITEMS)
    .superRefine((items, context) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.productId)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'productId'],
            message: 'must not repeat a product of an earlier item',
            input: item.productId,
          });
        }
        seen.add(item.productId);
      });
    }),
  correlationId: z.string().min(1).max(256).optional(),
});

/**
 * A step's payload breaks the contract: a defect of the state machine, which no retry can mend. Its
 * `name` is `InvalidSagaInput` (Lambda's `errorType`).
 */
export class InvalidSagaInputError extends ValidationError {
  constructor(message: string, details: readonly ErrorDetail[]) {
    super(message, details, 'INVALID_SAGA_INPUT');
    this.name = STOCK_STEP_ERRORS.invalidInput;
  }
}

export function parseStockStepInput(event: unknown): StockStepInput {
  const parsed = StockStepInputSchema.safeParse(event, { error: houseStyleReasons });
  if (parsed.success) return parsed.data;
  const { message, details } = validationErrorFromZod(parsed.error, 'input');
  throw new InvalidSagaInputError(message, details);
}

/** What a step needs of the Lambda context: the request id, the cause of the step's events. */
export interface StepInvocation {
  readonly awsRequestId?: string;
}

export type StockStepHandler<TOutput> = (event: unknown, invocation?: StepInvocation) => Promise<TOutput>;

/** The logging a step does, and the keys it carries; the Powertools `Logger` fits, and so does a fake. */
export interface StepLogger extends NonNullable<Parameters<typeof withRequestContext>[2]> {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface StockStepDependencies {
  /** Stamps the step's events: its correlation id, caused by the Lambda request. */
  readonly newContext: CommandContextFactory;
  /** @default the shared Powertools logger */
  readonly logger?: StepLogger;
}

interface StockStepDefinition<TOutput> {
  /** What the step did, for the log: `Stock reserved`. */
  readonly done: string;
  readonly run: (order: OrderStock, context: CommandContext) => Promise<LineOutcome[]>;
  readonly output: (orderId: string, outcomes: readonly LineOutcome[]) => TOutput;
}

/**
 * A saga step: parses the payload (`InvalidSagaInputError` if it breaks the contract), runs the use
 * case with every log line carrying the order id and correlation id, and maps the outcome. Business
 * errors (`OutOfStock`, `ReservationNotFound`) and any other error are rethrown as they are: Step
 * Functions matches `Catch` and `Retry` on their `name`.
 */
export function stockStepHandler<TOutput>(
  definition: StockStepDefinition<TOutput>,
  deps: StockStepDependencies,
): StockStepHandler<TOutput> {
  const logger = deps.logger ?? sharedLogger;
  return async (event, invocation) => {
    let input: StockStepInput;
    try {
      input = parseStockStepInput(event);
    } catch (error) {
      logger.error('Invalid saga step input: the state machine sent what the contract forbids', {
        ...idsIn(event),
        error,
      });
      throw error;
    }
    const { orderId } = input;
    // Only the PlaceOrder state machine runs these steps: its orders are orchestrated.
    annotate({ orderId, sagaStyle: 'orchestrated' });
    const correlationId = input.correlationId ?? orderId;
    return withRequestContext(
      { correlationId, orderId },
      async () => {
        const context = deps.newContext({ correlationId, requestId: invocation?.awsRequestId ?? orderId });
        try {
          const outcomes = await definition.run({ orderId, items: input.items }, context);
          logger.info(definition.done, { lines: outcomes.map(describeOutcome) });
          return definition.output(orderId, outcomes);
        } catch (error) {
          if (error instanceof OutOfStockError || error instanceof ReservationNotFoundError) {
            logger.info(`Business outcome ${error.name}: the saga compensates`, {
              productId: error.productId,
              reason: error.message,
            });
          } else {
            logger.error('Stock step failed; the state machine may retry it', { error });
          }
          throw error;
        }
      },
      logger,
    );
  };
}

/** The lines the order's reservations hold, sold or gave back, with their quantities. */
export function linesOf(
  outcomes: readonly LineOutcome[],
  include: (outcome: LineOutcome) => boolean = () => true,
): StockLine[] {
  return outcomes.flatMap((outcome) =>
    outcome.reservation !== undefined && include(outcome)
      ? [{ productId: outcome.productId, quantity: outcome.reservation.quantity }]
      : [],
  );
}

/** The order and correlation ids of a payload that is not valid, where they can be read. */
function idsIn(event: unknown): { orderId?: string; correlationId?: string } {
  if (typeof event !== 'object' || event === null) return {};
  const { orderId, correlationId } = event as Record<string, unknown>;
  return {
    ...(typeof orderId === 'string' ? { orderId } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
}

function describeOutcome(outcome: LineOutcome) {
  return {
    productId: outcome.productId,
    outcome: outcome.outcome,
    ...(outcome.reservation === undefined
      ? {}
      : { status: outcome.reservation.status, quantity: outcome.reservation.quantity }),
  };
}
