import { getAccountDependencies } from '../composition-root';
import { makeHandler } from './get-account';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getAccountDependencies()));
