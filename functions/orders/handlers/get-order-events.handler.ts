// Lambda entry: dependencies built once per container; the handler logic is in ./get-order-events.
import { getOrderEventsDeps } from '../composition-root';
import { makeHandler } from './get-order-events';

export const handler = makeHandler(getOrderEventsDeps());
