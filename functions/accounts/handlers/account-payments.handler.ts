import { accountPaymentsDependencies } from '../composition-root';
import { makeHandler } from './account-payments';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(publishingMetrics(makeHandler(accountPaymentsDependencies())));
