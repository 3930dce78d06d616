import { getChargeDependencies } from '../composition-root';
import { makeGetChargeHandler } from './get-charge';

export const handler = makeGetChargeHandler(getChargeDependencies());
