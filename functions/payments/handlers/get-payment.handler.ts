import { getPaymentDependencies } from '../composition-root';
import { makeGetPaymentHandler } from './get-payment';

export const handler = makeGetPaymentHandler(getPaymentDependencies());
