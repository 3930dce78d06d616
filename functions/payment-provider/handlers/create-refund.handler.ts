import { createRefundDependencies } from '../composition-root';
import { makeCreateRefundHandler } from './create-refund';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeCreateRefundHandler(createRefundDependencies()));
