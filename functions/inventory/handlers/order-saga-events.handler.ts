// Lambda entry: dependencies built once per container; the handler logic is in ./order-saga-events.
import { orderSagaEventsDependencies } from '../composition-root';
import { makeHandler } from './order-saga-events';

export const handler = makeHandler(orderSagaEventsDependencies());
