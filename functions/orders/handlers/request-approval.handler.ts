// Lambda entry: dependencies built once per container; the handler logic is in ./request-approval.
import { requestApprovalDependencies } from '../composition-root';
import { makeHandler } from './request-approval';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(requestApprovalDependencies()));
