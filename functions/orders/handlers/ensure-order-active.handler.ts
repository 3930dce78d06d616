// Lambda entry: dependencies built once per container; the handler logic is in ./ensure-order-active.
import { ensureOrderActiveDependencies } from '../composition-root';
import { makeHandler } from './ensure-order-active';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(ensureOrderActiveDependencies()));
