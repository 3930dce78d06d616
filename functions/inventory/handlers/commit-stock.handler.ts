import { commitStockDependencies } from '../composition-root';
import { makeHandler } from './commit-stock';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

/** Invoked by the PlaceOrder state machine (`LambdaInvoke`), not by the API. */
export const handler = answeringStartupProbe(tracedHandler(makeHandler(commitStockDependencies())));
