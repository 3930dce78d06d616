// Lambda entry: dependencies built once per container; the handler logic is in ./decide-approval.
import { decideApprovalDependencies } from '../composition-root';
import { makeHandler } from './decide-approval';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(decideApprovalDependencies()));
