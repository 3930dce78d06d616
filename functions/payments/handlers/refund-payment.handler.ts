import { refundPaymentDependencies } from '../composition-root';
import { makeHandler } from './refund-payment';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

/** Invoked by the PlaceOrder state machine (LambdaInvoke) as a compensation; see ./refund-payment. */
export const handler = answeringStartupProbe(
  tracedHandler(publishingMetrics(makeHandler(refundPaymentDependencies()))),
);
