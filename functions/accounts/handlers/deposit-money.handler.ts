import { depositMoneyDependencies } from '../composition-root';
import { makeDepositMoneyHandler } from './deposit-money';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeDepositMoneyHandler(depositMoneyDependencies()));
