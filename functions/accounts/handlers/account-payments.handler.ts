import { accountPaymentsDependencies } from '../composition-root';
import { makeHandler } from './account-payments';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(accountPaymentsDependencies()));
