import type { Logger } from '@aws-lambda-powertools/logger';
import { logger as sharedLogger } from './logger';

/** The keys every log line of one invocation carries; absent ones are left out. */
export interface RequestContext {
  readonly correlationId?: string;
  readonly orderId?: string;
  readonly [key: string]: string | number | boolean | undefined;
}

type KeyValue = string | number | boolean;
type ContextLogger = Pick<Logger, 'appendKeys' | 'removeKeys' | 'resetKeys'>;

/** Per logger: how deep the nesting is and the keys set by the calls still running. */
const scopes = new WeakMap<ContextLogger, { depth: number; keys: Map<string, KeyValue> }>();

/**
 * Runs `work` with `keys` appended to every log line. The outermost call resets the logger's
 * temporary keys when it ends, also when `work` throws: the container is reused, and one invocation's
 * ids must not label the next one's lines. A nested call (a use case labelling its lines with the
 * order it loaded, inside the handler's request context) restores on its way out exactly the keys it
 * replaced, so the outer ones stay on the remaining lines.
 */
export async function withRequestContext<T>(
  keys: RequestContext,
  work: () => Promise<T>,
  logger: ContextLogger = sharedLogger,
): Promise<T> {
  const scope = scopes.get(logger) ?? { depth: 0, keys: new Map<string, KeyValue>() };
  scopes.set(logger, scope);
  const added = Object.entries(keys).filter((entry): entry is [string, KeyValue] => entry[1] !== undefined);
  const replaced = new Map(added.map(([key]) => [key, scope.keys.get(key)] as const));
  logger.appendKeys(Object.fromEntries(added));
  for (const [key, value] of added) scope.keys.set(key, value);
  scope.depth += 1;
  try {
    return await work();
  } finally {
    scope.depth -= 1;
    if (scope.depth === 0) {
      logger.resetKeys();
      scope.keys.clear();
    } else {
      restore(logger, scope.keys, replaced);
    }
  }
}

function restore(
  logger: ContextLogger,
  current: Map<string, KeyValue>,
  replaced: ReadonlyMap<string, KeyValue | undefined>,
): void {
  const removed: string[] = [];
  const previous: Record<string, KeyValue> = {};
  for (const [key, value] of replaced) {
    if (value === undefined) {
      removed.push(key);
      current.delete(key);
    } else {
      previous[key] = value;
      current.set(key, value);
    }
  }
  if (removed.length > 0) logger.removeKeys(removed);
  if (Object.keys(previous).length > 0) logger.appendKeys(previous);
}
