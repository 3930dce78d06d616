// Lambda entry: dependencies built once per container; the handler logic is in ./start-order-saga.
import { startOrderSagaDependencies } from '../composition-root';
import { makeHandler } from './start-order-saga';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(startOrderSagaDependencies()));
