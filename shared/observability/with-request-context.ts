import type { Logger } from '@aws-lambda-powertools/logger';
import { logger as sharedLogger } from './logger';

/** The keys every log line of one invocation carries; absent ones are left out. */
export interface RequestContext {
  readonly correlationId?: string;
  readonly orderId?: string;
  readonly [key: string]: string | number | boolean | undefined;
}

/**
 * Runs `work` with `keys` appended to every log line, then resets the logger's temporary keys, also
 * when `work` throws: the container is reused, and one invocation's ids must not label the next one's
 * lines. Wrap the whole invocation, not a part of it: the reset clears every temporary key.
 */
export async function withRequestContext<T>(
  keys: RequestContext,
  work: () => Promise<T>,
  logger: Pick<Logger, 'appendKeys' | 'resetKeys'> = sharedLogger,
): Promise<T> {
  logger.appendKeys(
    Object.fromEntries(
      Object.entries(keys).filter(
        (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
      ),
    ),
  );
  try {
    return await work();
  } finally {
    logger.resetKeys();
  }
}
