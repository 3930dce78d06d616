import { commitStockDependencies } from '../composition-root';
import { makeCommitStockHandler } from './commit-stock';

/** Invoked by the PlaceOrder state machine (`LambdaInvoke`), not by the API. */
export const handler = makeCommitStockHandler(commitStockDependencies());
