import { listTransactionsDependencies } from '../composition-root';
import { makeHandler } from './list-transactions';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(listTransactionsDependencies()));
