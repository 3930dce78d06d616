import { depositMoneyDependencies } from '../composition-root';
import { makeHandler } from './deposit-money';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(depositMoneyDependencies()));
