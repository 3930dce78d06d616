import { refundPaymentDependencies } from '../composition-root';
import { makeRefundPaymentHandler } from './refund-payment';

/** Invoked by the PlaceOrder state machine (LambdaInvoke) as a compensation; see ./refund-payment. */
export const handler = makeRefundPaymentHandler(refundPaymentDependencies());
