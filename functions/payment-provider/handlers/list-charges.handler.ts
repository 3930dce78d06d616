import { listChargesDependencies } from '../composition-root';
import { makeHandler } from './list-charges';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(listChargesDependencies()));
