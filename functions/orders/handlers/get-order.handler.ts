// Lambda entry: dependencies built once per container; the handler logic is in ./get-order.
import { getOrderDependencies } from '../composition-root';
import { makeHandler } from './get-order';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getOrderDependencies()));
