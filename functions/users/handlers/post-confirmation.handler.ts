import { postConfirmationDependencies } from '../composition-root';
import { makeHandler } from './post-confirmation';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

/** The user pool's PostConfirmation trigger (infra/stacks/users-stack.ts). */
export const handler = answeringStartupProbe(tracedHandler(makeHandler(postConfirmationDependencies())));
