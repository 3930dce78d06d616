// Lambda entry: dependencies built once per container; the handler logic is in ./rollout-step.
import { rolloutStepDependencies } from '../composition-root';
import { makeHandler } from './rollout-step';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(rolloutStepDependencies()));
