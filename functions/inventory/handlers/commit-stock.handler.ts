import { commitStockDependencies } from '../composition-root';
import { makeHandler } from './commit-stock';
import { tracedHandler } from '../../../shared/observability/tracer';

/** Invoked by the PlaceOrder state machine (`LambdaInvoke`), not by the API. */
export const handler = tracedHandler(makeHandler(commitStockDependencies()));
