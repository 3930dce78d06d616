// Lambda entry: dependencies built once per container; the handler logic is in ./order-saga-events.
import { orderSagaEventsDependencies } from '../composition-root';
import { makeHandler } from './order-saga-events';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(orderSagaEventsDependencies()));
