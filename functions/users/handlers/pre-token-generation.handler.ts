import { preTokenGenerationDependencies } from '../composition-root';
import { makePreTokenGenerationHandler } from './pre-token-generation';

/** The user pool's PreTokenGeneration trigger (infra/stacks/users-stack.ts). */
export const handler = makePreTokenGenerationHandler(preTokenGenerationDependencies());
