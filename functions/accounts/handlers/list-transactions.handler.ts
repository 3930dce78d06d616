import { listTransactionsDependencies } from '../composition-root';
import { makeListTransactionsHandler } from './list-transactions';

export const handler = makeListTransactionsHandler(listTransactionsDependencies());
