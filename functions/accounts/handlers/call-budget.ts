import type { LambdaContext } from '../../../shared/http';
import type { CallBudget } from '../../../shared/resilience';

/** The invocation's remaining time, within which a command's lost races are retried. */
export function budgetOf(context: Pick<LambdaContext, 'getRemainingTimeInMillis'> | undefined): CallBudget {
  return context === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() };
}
