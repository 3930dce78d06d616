import { restockProductDependencies } from '../composition-root';
import { makeRestockProductHandler } from './restock-product';

export const handler = makeRestockProductHandler(restockProductDependencies());
