import { postConfirmationDependencies } from '../composition-root';
import { makeHandler } from './post-confirmation';
import { tracedHandler } from '../../../shared/observability/tracer';

/** The user pool's PostConfirmation trigger (infra/stacks/users-stack.ts). */
export const handler = tracedHandler(makeHandler(postConfirmationDependencies()));
