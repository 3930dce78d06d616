import { listTransactionsDependencies } from '../composition-root';
import { makeListTransactionsHandler } from './list-transactions';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeListTransactionsHandler(listTransactionsDependencies()));
