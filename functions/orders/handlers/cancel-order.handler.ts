// Lambda entry: dependencies built once per container; the handler logic is in ./cancel-order.
import { cancelOrderDependencies } from '../composition-root';
import { makeHandler } from './cancel-order';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(cancelOrderDependencies()));
