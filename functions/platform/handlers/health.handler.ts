import { logger } from '../../../shared/observability/logger';

interface HealthResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Liveness of the API: answers without touching any dependency, so it never fails for theirs. */
export const handler = async (): Promise<HealthResponse> => {
  logger.debug('health check');
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'ok' }),
  };
};
