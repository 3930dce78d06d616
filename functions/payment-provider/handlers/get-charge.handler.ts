import { getChargeDependencies } from '../composition-root';
import { makeHandler } from './get-charge';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getChargeDependencies()));
