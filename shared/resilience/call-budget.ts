/**
 * What is left of the invocation, e.g. Lambda's `context.getRemainingTimeInMillis`, handed from a
 * handler down to the adapter whose retries must stop in time for the function to answer. Absent
 * (a test, a caller without a deadline), only the attempts bound the retries.
 */
export interface CallBudget {
  readonly remainingTimeMs?: () => number;
}
