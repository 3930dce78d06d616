import { transferMoneyDependencies } from '../composition-root';
import { makeTransferMoneyHandler } from './transfer-money';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeTransferMoneyHandler(transferMoneyDependencies()));
