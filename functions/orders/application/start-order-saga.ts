import type { OrderEventEnvelope } from '../contracts/order-events';
import type { OrderCreatedDataSchema } from '../contracts/order-events';
import type { PlaceOrderSagaInput } from '../contracts/place-order-saga';
import { paymentOf } from '../domain/order';
import type { SagaStartOutcome, SagaStarter } from '../ports/place-order-saga';
import type * as z from 'zod';

export type OrderCreatedData = z.output<typeof OrderCreatedDataSchema>;

/** The saga's input, from the `OrderCreated` envelope; `undefined` for an order without a payment. */
export function sagaInputOf(
  envelope: Pick<OrderEventEnvelope, 'aggregateId' | 'correlationId'>,
  data: OrderCreatedData,
): PlaceOrderSagaInput | undefined {
  if (data.payment === undefined) return undefined;
  return {
    orderId: envelope.aggregateId,
    userId: data.userId,
    items: data.items.map(({ productId, quantity, unitPriceCents }) => ({
      productId,
      quantity,
      unitPriceCents,
    })),
    totalCents: data.totalCents,
    currency: data.currency,
    payment: paymentOf(data.payment),
    correlationId: envelope.correlationId,
  };
}

export type StartOrderSaga = (
  input: PlaceOrderSagaInput,
  options?: { readonly traceHeader?: string },
) => Promise<SagaStartOutcome>;

/**
 * Starts the order's saga: one execution named after the order, so a redelivered `OrderCreated`
 * finds it started (`already-started`) and starts nothing.
 */
export function makeStartOrderSaga(deps: { readonly starter: SagaStarter }): StartOrderSaga {
  return (input, options) => deps.starter.start(input, options);
}
