import { createChargeDependencies } from '../composition-root';
import { makeHandler } from './create-charge';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(createChargeDependencies()));
