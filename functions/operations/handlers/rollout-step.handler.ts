// Lambda entry: dependencies built once per container; the handler logic is in ./rollout-step.
// A deployment's start-up probe is answered once they are built (shared/aws/startup-probe).
import { rolloutStepDependencies } from '../composition-root';
import { makeHandler } from './rollout-step';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

export const handler = answeringStartupProbe(tracedHandler(makeHandler(rolloutStepDependencies())));
