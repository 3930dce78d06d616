import { createChargeDependencies } from '../composition-root';
import { makeCreateChargeHandler } from './create-charge';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeCreateChargeHandler(createChargeDependencies()));
