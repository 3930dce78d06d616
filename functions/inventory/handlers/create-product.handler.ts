import { createProductDependencies } from '../composition-root';
import { makeHandler } from './create-product';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(createProductDependencies()));
