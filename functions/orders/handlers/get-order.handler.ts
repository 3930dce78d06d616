// Lambda entry: dependencies built once per container; the handler logic is in ./get-order.
import { getOrderDeps } from '../composition-root';
import { makeHandler } from './get-order';

export const handler = makeHandler(getOrderDeps());
