import { transferMoneyDependencies } from '../composition-root';
import { makeTransferMoneyHandler } from './transfer-money';

export const handler = makeTransferMoneyHandler(transferMoneyDependencies());
