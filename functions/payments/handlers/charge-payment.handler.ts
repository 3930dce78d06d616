import { chargePaymentDependencies } from '../composition-root';
import { makeChargePaymentHandler } from './charge-payment';

/** Invoked by the PlaceOrder state machine (LambdaInvoke); see ./charge-payment. */
export const handler = makeChargePaymentHandler(chargePaymentDependencies());
