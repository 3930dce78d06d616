import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { putSettingDependencies } from '../composition-root';
import { makeHandler } from './put-setting';

export const handler = tracedHandler(publishingMetrics(makeHandler(putSettingDependencies())));
