import { getPaymentDependencies } from '../composition-root';
import { makeGetPaymentHandler } from './get-payment';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeGetPaymentHandler(getPaymentDependencies()));
