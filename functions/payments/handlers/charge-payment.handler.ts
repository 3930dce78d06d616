import { chargePaymentDependencies } from '../composition-root';
import { makeHandler } from './charge-payment';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

/** Invoked by the PlaceOrder state machine (LambdaInvoke); see ./charge-payment. */
export const handler = answeringStartupProbe(
  tracedHandler(publishingMetrics(makeHandler(chargePaymentDependencies()))),
);
