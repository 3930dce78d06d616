import { openAccountDependencies } from '../composition-root';
import { makeHandler } from './open-account';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(openAccountDependencies()));
