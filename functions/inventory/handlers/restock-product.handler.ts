import { restockProductDependencies } from '../composition-root';
import { makeRestockProductHandler } from './restock-product';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeRestockProductHandler(restockProductDependencies()));
