// Lambda entry: dependencies built once per container; the handler logic is in ./confirm-order.
import { confirmOrderDeps } from '../composition-root';
import { makeHandler } from './confirm-order';

export const handler = makeHandler(confirmOrderDeps());
