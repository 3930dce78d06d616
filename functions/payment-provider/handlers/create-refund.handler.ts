import { createRefundDependencies } from '../composition-root';
import { makeHandler } from './create-refund';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(createRefundDependencies()));
