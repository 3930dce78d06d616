import { getAccountDependencies } from '../composition-root';
import { makeGetAccountHandler } from './get-account';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeGetAccountHandler(getAccountDependencies()));
