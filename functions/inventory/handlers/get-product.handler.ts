import { getProductDependencies } from '../composition-root';
import { makeGetProductHandler } from './get-product';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeGetProductHandler(getProductDependencies()));
