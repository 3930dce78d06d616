/**
 * Offset pagination behind an opaque `NextToken` (the next offset, base64url), as the local list
 * operations page their results. Each service checks its own page size, with its own message.
 */
export function offsetPage<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
  invalidToken: () => Error,
): { items: T[]; nextToken?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalidToken();
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}
