// Lambda entry: dependencies built once per container; the handler logic is in ./list-user-orders.
import { listUserOrdersDependencies } from '../composition-root';
import { makeHandler } from './list-user-orders';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(listUserOrdersDependencies()));
