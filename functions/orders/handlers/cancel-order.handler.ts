// Lambda entry: dependencies built once per container; the handler logic is in ./cancel-order.
import { cancelOrderDeps } from '../composition-root';
import { makeHandler } from './cancel-order';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(cancelOrderDeps()));
