import { refundPaymentDependencies } from '../composition-root';
import { makeRefundPaymentHandler } from './refund-payment';
import { tracedHandler } from '../../../shared/observability/tracer';

/** Invoked by the PlaceOrder state machine (LambdaInvoke) as a compensation; see ./refund-payment. */
export const handler = tracedHandler(makeRefundPaymentHandler(refundPaymentDependencies()));
