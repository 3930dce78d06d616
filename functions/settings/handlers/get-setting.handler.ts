import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { getSettingDependencies } from '../composition-root';
import { makeHandler } from './get-setting';

export const handler = tracedHandler(publishingMetrics(makeHandler(getSettingDependencies())));
