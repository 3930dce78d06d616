import type { Logger } from '@aws-lambda-powertools/logger';

/** The logging the relay does; the Powertools `Logger` fits, and so does a recording fake in tests. */
export type RelayLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
