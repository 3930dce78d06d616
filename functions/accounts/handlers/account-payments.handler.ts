import { accountPaymentsDependencies } from '../composition-root';
import { makeHandler } from './account-payments';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

export const handler = answeringStartupProbe(
  tracedHandler(publishingMetrics(makeHandler(accountPaymentsDependencies()))),
);
