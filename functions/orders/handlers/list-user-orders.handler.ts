// Lambda entry: dependencies built once per container; the handler logic is in ./list-user-orders.
import { listUserOrdersDeps } from '../composition-root';
import { makeHandler } from './list-user-orders';

export const handler = makeHandler(listUserOrdersDeps());
