// Lambda entry: dependencies built once per container; the handler logic is in ./confirm-order.
import { confirmOrderDependencies } from '../composition-root';
import { makeHandler } from './confirm-order';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(confirmOrderDependencies()));
