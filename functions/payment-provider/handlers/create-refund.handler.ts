import { createRefundDependencies } from '../composition-root';
import { makeCreateRefundHandler } from './create-refund';

export const handler = makeCreateRefundHandler(createRefundDependencies());
