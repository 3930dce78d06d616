import { transferMoneyDependencies } from '../composition-root';
import { makeHandler } from './transfer-money';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(publishingMetrics(makeHandler(transferMoneyDependencies())));
