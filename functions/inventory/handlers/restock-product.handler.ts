import { restockProductDependencies } from '../composition-root';
import { makeHandler } from './restock-product';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(restockProductDependencies()));
