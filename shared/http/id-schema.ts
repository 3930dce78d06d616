import * as z from 'zod';
import { ID_PREFIXES, isId, type IdKind } from '../ids/ids';

/** A platform id of one kind (prefix + ULID), e.g. for `{orderId}`: anything else is a 400, never a 404. */
export function idSchema(kind: IdKind): z.ZodString {
  return z.string().refine((value) => isId(kind, value), {
    error: `must be ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} id (${ID_PREFIXES[kind]} followed by a ULID)`,
  });
}
