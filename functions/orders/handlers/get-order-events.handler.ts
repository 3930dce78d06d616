// Lambda entry: dependencies built once per container; the handler logic is in ./get-order-events.
import { getOrderEventsDependencies } from '../composition-root';
import { makeHandler } from './get-order-events';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getOrderEventsDependencies()));
