import { depositMoneyDependencies } from '../composition-root';
import { makeDepositMoneyHandler } from './deposit-money';

export const handler = makeDepositMoneyHandler(depositMoneyDependencies());
