import { getProductDependencies } from '../composition-root';
import { makeHandler } from './get-product';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getProductDependencies()));
