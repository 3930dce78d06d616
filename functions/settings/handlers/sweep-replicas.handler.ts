import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { sweepReplicasDependencies } from '../composition-root';
import { makeHandler } from './sweep-replicas';

export const handler = tracedHandler(publishingMetrics(makeHandler(sweepReplicasDependencies())));
