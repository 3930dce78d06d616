import * as z from 'zod';
import { logger as sharedLogger } from '../../../shared/observability/logger';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import { InvalidSagaInputError } from '../../../shared/saga/saga-step';
import { sagaInputOf, type StartOrderSaga } from '../application/start-order-saga';
import {
  ORDERS_EVENT_SOURCE,
  OrderCreatedDataSchema,
  OrderEventEnvelopeSchema,
} from '../contracts/order-events';
import type { SagaStartOutcome } from '../ports/place-order-saga';
import { annotate } from '../../../shared/observability/tracer';
import type { KeyedLogger } from '../../../shared/observability/app-logger';

/** What the rule delivers: the EventBridge event, the `OrderCreated` envelope in `detail`. */
const OrderCreatedBusEvent = z.object({
  source: z.literal(ORDERS_EVENT_SOURCE),
  'detail-type': z.literal('OrderCreated'),
  detail: OrderEventEnvelopeSchema.extend({
    type: z.literal('OrderCreated'),
    data: OrderCreatedDataSchema,
  }),
});

export interface StartOrderSagaHandlerDependencies {
  readonly startOrderSaga: StartOrderSaga;
  /** @default the shared Powertools logger */
  readonly logger?: KeyedLogger;
}

export interface StartOrderSagaResult {
  readonly orderId: string;
  readonly outcome: SagaStartOutcome | 'not-orchestrated';
}

/**
 * Target of the rule on `OrderCreated` with `data.saga = orchestrated`: starts the order's PlaceOrder
 * execution, named after the order, with the saga's input and the order's trace header. An execution
 * that exists already (a redelivered event) is success. An event that cannot start a saga throws
 * `InvalidSagaInput`: after Lambda's asynchronous retries it lands on the rule's dead-letter queue.
 */
export function makeHandler(deps: StartOrderSagaHandlerDependencies) {
  const logger = deps.logger ?? sharedLogger;
  return async (event: unknown): Promise<StartOrderSagaResult> => {
    const parsed = OrderCreatedBusEvent.safeParse(event);
    if (!parsed.success) {
      logger.error('Not an OrderCreated event of the orders context: no saga started', {
        issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      });
      throw new InvalidSagaInputError('start-order-saga: the event is not an OrderCreated of shop.orders.', [
        { path: 'detail-type', message: 'must be an OrderCreated event of shop.orders' },
      ]);
    }
    const { detail } = parsed.data;
    const orderId = detail.aggregateId;
    annotate({ orderId, userId: detail.data.userId, sagaStyle: detail.data.saga });
    return withRequestContext(
      { correlationId: detail.correlationId, orderId },
      async () => {
        if (detail.data.saga !== 'orchestrated') {
          logger.info('The order is not orchestrated: no saga started', { saga: detail.data.saga });
          return { orderId, outcome: 'not-orchestrated' };
        }
        const input = sagaInputOf(detail, detail.data);
        if (input === undefined) {
          throw new InvalidSagaInputError(`start-order-saga: order ${orderId} has no payment to charge.`, [
            { path: 'detail.data.payment', message: 'is required' },
          ]);
        }
        const outcome = await deps.startOrderSaga(
          input,
          detail.traceHeader === undefined ? {} : { traceHeader: detail.traceHeader },
        );
        logger.info(
          outcome === 'started'
            ? 'PlaceOrder saga started'
            : 'PlaceOrder saga was started before: nothing to do',
          { outcome },
        );
        return { orderId, outcome };
      },
      logger,
    );
  };
}
