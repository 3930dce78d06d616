import { tracedHandler } from '../../../shared/observability/tracer';
import { checkHealthDependencies } from '../composition-root';
import { makeHandler } from './check-health';

export const handler = tracedHandler(makeHandler(checkHealthDependencies()));
