// Lambda entry: dependencies built once per container; the handler logic is in ./decide-rollout-approval.
import { decideRolloutApprovalDependencies } from '../composition-root';
import { makeHandler } from './decide-rollout-approval';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(decideRolloutApprovalDependencies()));
