import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { repairLateReplicaDependencies } from '../composition-root';
import { makeHandler } from './repair-late-replica';

export const handler = tracedHandler(publishingMetrics(makeHandler(repairLateReplicaDependencies())));
