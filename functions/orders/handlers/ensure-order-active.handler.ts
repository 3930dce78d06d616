// Lambda entry: dependencies built once per container; the handler logic is in ./ensure-order-active.
import { ensureOrderActiveDeps } from '../composition-root';
import { makeHandler } from './ensure-order-active';

export const handler = makeHandler(ensureOrderActiveDeps());
