import { createProductDependencies } from '../composition-root';
import { makeCreateProductHandler } from './create-product';

export const handler = makeCreateProductHandler(createProductDependencies());
