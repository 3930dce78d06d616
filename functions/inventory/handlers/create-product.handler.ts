import { createProductDependencies } from '../composition-root';
import { makeCreateProductHandler } from './create-product';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeCreateProductHandler(createProductDependencies()));
