import { Tracer } from '@aws-lambda-powertools/tracer';

/** One tracer per container; the service name comes from `POWERTOOLS_SERVICE_NAME`. */
export const tracer = new Tracer();

/**
 * Wraps an AWS SDK v3 client so each call is an X-Ray subsegment; the client is returned as is where
 * tracing is off (outside Lambda, or `POWERTOOLS_TRACE_ENABLED=false`).
 */
export function tracedClient<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/**
 * Runs each invocation in a `## <handler>` subsegment with the `ColdStart` and `Service` annotations, and
 * the error as metadata when it fails — Powertools' `captureLambdaHandler`, without decorators or middy.
 * Lambda's own segment cannot be annotated (Powertools drops the annotation with a warning): the business
 * ids of `annotate` land on this subsegment. The response is not recorded: it carries customers' data.
 */
export function tracedHandler<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  if (!tracer.isTracingEnabled()) return handler;
  return async (...args) => {
    const lambdaSegment = tracer.getSegment();
    const handlerSegment = lambdaSegment?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
    if (lambdaSegment === undefined || handlerSegment === undefined) return handler(...args);
    tracer.setSegment(handlerSegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      return await handler(...args);
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      handlerSegment.close();
      tracer.setSegment(lambdaSegment);
    }
  };
}

/** The business ids a trace can be found by; each is left out when undefined. */
export interface TraceIds {
  readonly orderId?: string;
  readonly userId?: string;
  readonly productId?: string;
  readonly accountId?: string;
  readonly sagaStyle?: string;
}

/** X-Ray indexes only keys of letters, digits and underscores: other keys are dropped. */
const ANNOTATION_KEYS = [
  ['orderId', 'order_id'],
  ['userId', 'user_id'],
  ['productId', 'product_id'],
  ['accountId', 'account_id'],
  ['sagaStyle', 'saga_style'],
] as const satisfies readonly (readonly [keyof TraceIds, string])[];

/**
 * Annotates the invocation's trace with the ids it serves (`order_id`, `user_id`, …), so that it is found
 * with `aws xray get-trace-summaries --filter-expression 'annotation.order_id = "…"'`. Called in a handler
 * wrapped by `tracedHandler`, where each id becomes known; nothing happens where tracing is off.
 */
export function annotate(ids: TraceIds): void {
  for (const [field, key] of ANNOTATION_KEYS) {
    const value = ids[field];
    if (value !== undefined) tracer.putAnnotation(key, value);
  }
}
