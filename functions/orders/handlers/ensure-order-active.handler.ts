// Lambda entry: dependencies built once per container; the handler logic is in ./ensure-order-active.
// A deployment's start-up probe is answered once they are built (shared/aws/startup-probe).
import { ensureOrderActiveDependencies } from '../composition-root';
import { makeHandler } from './ensure-order-active';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

export const handler = answeringStartupProbe(tracedHandler(makeHandler(ensureOrderActiveDependencies())));
