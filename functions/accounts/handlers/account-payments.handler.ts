import { accountPaymentsDependencies } from '../composition-root';
import { makeAccountPaymentsHandler } from './account-payments';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeAccountPaymentsHandler(accountPaymentsDependencies()));
