import * as z from 'zod';
import type { CommandContext, CommandContextFactory } from '../../../shared/event-sourcing/command-context';
import { idSchema } from '../../../shared/http/id-schema';
import { sagaStep, type SagaStepHandler, type SagaStepOutcome } from '../../../shared/saga/saga-step';
import type { LineOutcome, OrderStock } from '../application/change-reservation';
import { MAX_STOCK_STEP_ITEMS, STOCK_STEP_ERRORS, type StockLine } from '../contracts';
import { OutOfStockError, ReservationNotFoundError } from '../domain/errors';
import { MAX_STOCK } from '../domain/product';
import type { KeyedLogger } from '../../../shared/observability/app-logger';
import { definedProps } from '../../../shared/objects/defined-props';

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

/** The errors the saga expects of the stock steps: business outcomes it compensates for. */
const STOCK_STEP_OUTCOMES: readonly SagaStepOutcome[] = [
  { error: OutOfStockError, name: STOCK_STEP_ERRORS.outOfStock },
  { error: ReservationNotFoundError, name: STOCK_STEP_ERRORS.reservationNotFound },
];

export interface StockStepDependencies {
  /** Stamps the step's events: its correlation id, caused by the Lambda request. */
  readonly newContext: CommandContextFactory;
  /** @default the shared Powertools logger */
  readonly logger?: KeyedLogger;
}

interface StockStepDefinition<TOutput> {
  /** Names the step in logs, e.g. `reserve-stock`. */
  readonly step: string;
  readonly run: (order: OrderStock, context: CommandContext) => Promise<LineOutcome[]>;
  readonly output: (orderId: string, outcomes: readonly LineOutcome[]) => TOutput;
}

/**
 * A stock step of the saga (`sagaStep`) over the stock steps' one contract: the order's lines in, the
 * lines changed out (logged), `OutOfStock` and `ReservationNotFound` as business outcomes.
 */
export function stockStep<TOutput extends Readonly<Record<string, unknown>>>(
  definition: StockStepDefinition<TOutput>,
  deps: StockStepDependencies,
): SagaStepHandler<TOutput> {
  return sagaStep({
    step: definition.step,
    input: StockStepInputSchema,
    outcomes: STOCK_STEP_OUTCOMES,
    ...definedProps({ logger: deps.logger }),
    describe: (output) => output,
    run: async ({ orderId, items }, flow) =>
      definition.output(orderId, await definition.run({ orderId, items }, deps.newContext(flow))),
  });
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
