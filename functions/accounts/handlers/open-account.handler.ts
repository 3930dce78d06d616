import { openAccountDependencies } from '../composition-root';
import { makeOpenAccountHandler } from './open-account';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeOpenAccountHandler(openAccountDependencies()));
