// Lambda entry: dependencies built once per container; the handler logic is in ./ensure-order-active.
import { ensureOrderActiveDeps } from '../composition-root';
import { makeHandler } from './ensure-order-active';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(ensureOrderActiveDeps()));
