import { accountPaymentsDependencies } from '../composition-root';
import { makeAccountPaymentsHandler } from './account-payments';

export const handler = makeAccountPaymentsHandler(accountPaymentsDependencies());
