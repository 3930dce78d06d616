import { reserveStockDependencies } from '../composition-root';
import { makeReserveStockHandler } from './reserve-stock';

/** Invoked by the PlaceOrder state machine (`LambdaInvoke`), not by the API. */
export const handler = makeReserveStockHandler(reserveStockDependencies());
