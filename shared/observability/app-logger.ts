import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * The logging every layer takes — handlers, use cases and the kernel's adapters alike: the Powertools
 * `Logger` (`./logger`) fits it, and so does a test's recorder. One shape in every context.
 */
export interface AppLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** An `AppLogger` that also carries an invocation's keys on every line (`withRequestContext`). */
export type KeyedLogger = AppLogger & Pick<Logger, 'appendKeys' | 'removeKeys' | 'resetKeys'>;

/** Logs nothing: what a use case logs to when its caller gives it no logger. */
export const silentLogger: AppLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
