// Lambda entry: dependencies built once per container; the handler logic is in ./start-order-saga.
import { startOrderSagaDeps } from '../composition-root';
import { makeHandler } from './start-order-saga';

export const handler = makeHandler(startOrderSagaDeps());
