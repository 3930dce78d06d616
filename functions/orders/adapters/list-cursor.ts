import * as z from 'zod';
import { decodePageCursor, encodePageCursor } from '../../../shared/http/page-cursor';
import { isId } from '../../../shared/ids/ids';
import { InvalidCursorError } from '../application/errors';

const CURSOR_VERSION = 1;

const Cursor = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  after: z.string().refine((value) => isId('order', value)),
});

/**
 * The position after which a user's next page starts: the last order id of the page, as base64url JSON.
 * Opaque to clients; only the order id travels (the user comes from the path), so a cursor cannot
 * reach another user's orders.
 */
export function encodeCursor(lastOrderId: string): string {
  return encodePageCursor({ v: CURSOR_VERSION, after: lastOrderId });
}

/** The order id a cursor points after; anything this API did not issue is a 400 `INVALID_CURSOR`. */
export function decodeCursor(cursor: string): string {
  const position = decodePageCursor(cursor, Cursor);
  if (position === undefined) throw new InvalidCursorError();
  return position.after;
}
