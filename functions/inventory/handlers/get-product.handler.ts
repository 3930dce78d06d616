import { getProductDependencies } from '../composition-root';
import { makeGetProductHandler } from './get-product';

export const handler = makeGetProductHandler(getProductDependencies());
