import { createChargeDependencies } from '../composition-root';
import { makeCreateChargeHandler } from './create-charge';

export const handler = makeCreateChargeHandler(createChargeDependencies());
