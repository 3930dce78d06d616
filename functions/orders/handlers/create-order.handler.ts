// Lambda entry: dependencies built once per container; the handler logic is in ./create-order.
import { createOrderDependencies } from '../composition-root';
import { makeHandler } from './create-order';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(createOrderDependencies()));
