import * as z from 'zod';
import { decodePageCursor, encodePageCursor } from '../../../shared/http/page-cursor';
import { InvalidCursorError } from './errors';

const CURSOR_VERSION = 1;

const Cursor = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  // The last entry of a page; a page ending at version 1 has no next one.
  before: z.number().int().min(2).max(Number.MAX_SAFE_INTEGER),
});

/**
 * The position after which an account's next page of entries starts: the version of the page's last
 * entry, as base64url JSON. Opaque to clients; only the version travels (the account comes from the
 * path), so a cursor cannot reach another account's ledger.
 */
export function encodeLedgerCursor(lastVersion: number): string {
  return encodePageCursor({ v: CURSOR_VERSION, before: lastVersion });
}

/** The version a cursor points below; anything this API did not issue is a 400 `INVALID_CURSOR`. */
export function decodeLedgerCursor(cursor: string): number {
  const position = decodePageCursor(cursor, Cursor);
  if (position === undefined) throw new InvalidCursorError();
  return position.before;
}
