import { cardVaultDependencies } from '../composition-root';
import { makeHandler } from './card-vault';
import { tracedHandler } from '../../../shared/observability/tracer';
import { answeringStartupProbe } from '../../../shared/aws/startup-probe';

/** Invoked by the orders context's create function (Lambda `Invoke`); see ./card-vault. */
export const handler = answeringStartupProbe(tracedHandler(makeHandler(cardVaultDependencies())));
