// Lambda entry: dependencies built once per container; the handler logic is in ./start-order-saga.
// A deployment's start-up probe is answered once they are built (shared/aws/startup-probe).
import { startOrderSagaDependencies } from '../composition-root';
import { makeHandler } from './start-order-saga';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

export const handler = answeringStartupProbe(tracedHandler(makeHandler(startOrderSagaDependencies())));
