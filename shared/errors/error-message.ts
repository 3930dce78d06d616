/** What an error says, for a log line or a wrapping error's message; anything thrown that is not an `Error`, as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
