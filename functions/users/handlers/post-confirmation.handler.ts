import { postConfirmationDependencies } from '../composition-root';
import { makePostConfirmationHandler } from './post-confirmation';

/** The user pool's PostConfirmation trigger (infra/stacks/users-stack.ts). */
export const handler = makePostConfirmationHandler(postConfirmationDependencies());
