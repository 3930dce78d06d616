// Lambda entry: dependencies built once per container; the handler logic is in ./cancel-order-saga.
import { cancelOrderSagaDependencies } from '../composition-root';
import { makeHandler } from './cancel-order-saga';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(cancelOrderSagaDependencies()));
