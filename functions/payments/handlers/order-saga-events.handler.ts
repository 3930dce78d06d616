// Lambda entry: dependencies built once per container; the handler logic is in ./order-saga-events.
import { orderSagaEventsDependencies } from '../composition-root';
import { makeHandler } from './order-saga-events';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(publishingMetrics(makeHandler(orderSagaEventsDependencies())));
