/** The logging a use case needs for what it handles without failing; the Powertools `Logger` fits it. */
export interface UseCaseLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}
