/** The logging the use cases do; the Powertools `Logger` fits it. */
export interface PaymentsLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export const silentLogger: PaymentsLogger = { info: () => undefined, warn: () => undefined };
