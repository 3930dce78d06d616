import { releaseStockDependencies } from '../composition-root';
import { makeReleaseStockHandler } from './release-stock';

/** Invoked by the PlaceOrder state machine (`LambdaInvoke`), not by the API. */
export const handler = makeReleaseStockHandler(releaseStockDependencies());
