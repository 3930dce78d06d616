import { getPaymentDependencies } from '../composition-root';
import { makeHandler } from './get-payment';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getPaymentDependencies()));
