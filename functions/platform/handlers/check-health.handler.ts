import { tracedHandler } from '../../../shared/observability/tracer';
import { checkHealthDependencies } from '../composition-root';
import { makeHandler } from './check-health';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

export const handler = answeringStartupProbe(tracedHandler(makeHandler(checkHealthDependencies())));
