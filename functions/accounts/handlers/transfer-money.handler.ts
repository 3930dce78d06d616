import { transferMoneyDependencies } from '../composition-root';
import { makeHandler } from './transfer-money';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(transferMoneyDependencies()));
