// Lambda entry: dependencies built once per container; the handler logic is in ./project-order-events.
import { projectorDependencies } from '../composition-root';
import { makeHandler } from './project-order-events';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(publishingMetrics(makeHandler(projectorDependencies())));
