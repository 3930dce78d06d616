import type * as z from 'zod';

/**
 * A list's opaque page cursor: the position JSON-encoded as base64url. Each list declares what its
 * cursor holds (a zod schema, with a version field); a cursor that is not base64url JSON of that
 * shape — anything the API did not issue — decodes to `undefined`, which the list answers with 400.
 */
export function encodePageCursor(position: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodePageCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
