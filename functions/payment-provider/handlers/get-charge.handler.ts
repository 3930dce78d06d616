import { getChargeDependencies } from '../composition-root';
import { makeGetChargeHandler } from './get-charge';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeGetChargeHandler(getChargeDependencies()));
