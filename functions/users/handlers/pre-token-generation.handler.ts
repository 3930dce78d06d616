import { preTokenGenerationDependencies } from '../composition-root';
import { makeHandler } from './pre-token-generation';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

/** The user pool's PreTokenGeneration trigger (infra/stacks/users-stack.ts). */
export const handler = answeringStartupProbe(tracedHandler(makeHandler(preTokenGenerationDependencies())));
