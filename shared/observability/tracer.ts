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
