import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { sweepReplicasDependencies } from '../composition-root';
import { makeHandler } from './sweep-replicas';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

export const handler = answeringStartupProbe(
  tracedHandler(publishingMetrics(makeHandler(sweepReplicasDependencies()))),
);
