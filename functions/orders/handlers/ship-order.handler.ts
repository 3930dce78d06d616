// Lambda entry: dependencies built once per container; the handler logic is in ./ship-order.
import { shipOrderDependencies } from '../composition-root';
import { makeHandler } from './ship-order';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(shipOrderDependencies()));
