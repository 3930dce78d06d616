// Lambda entry: dependencies built once per container; the handler logic is in ./request-approval.
import { requestApprovalDeps } from '../composition-root';
import { makeHandler } from './request-approval';

export const handler = makeHandler(requestApprovalDeps());
