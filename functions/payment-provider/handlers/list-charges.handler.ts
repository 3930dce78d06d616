import { listChargesDependencies } from '../composition-root';
import { makeListChargesHandler } from './list-charges';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeListChargesHandler(listChargesDependencies()));
