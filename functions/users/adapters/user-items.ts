import * as z from 'zod';
import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';
import { eventItemAttributes } from '../../../shared/event-sourcing/dynamodb-event-store';
import type { User } from '../domain/user';

/**
 * The users table: `pk` (S), `sk` (S). A registration writes four items in one transaction:
 *
 * | item     | `pk`                  | `sk`                 | `kind`  | holds                              |
 * | -------- | --------------------- | -------------------- | ------- | ---------------------------------- |
 * | user     | the user id           | `user`               | `user`  | `userId`, `sub`, `email`, `createdAt` |
 * | event    | the user id           | `event#0000000001`   | `event` | the envelope (the outbox's entry)  |
 * | sub      | `sub#<sub>`           | `sub`                | `sub`   | `sub`, `userId`                    |
 * | email    | `email#<email>`       | `email`              | `email` | `email`, `userId`                  |
 *
 * The sub and email items are claims, written only where none exists (`attribute_not_exists(pk)`): a
 * Cognito identity is bound to one user, an email to one user. The sub item is also the index the
 * PreTokenGeneration trigger reads (one `GetItem` per token). The event item carries `kind = 'event'` and
 * the envelope's fields at the top level, as inventory's do, so the table's stream is an outbox the
 * `OutboxRelay` publishes unchanged; it expires once long relayed.
 */
export const USER_SORT_KEY = 'user';
export const USER_ITEM_KIND = 'user';
export const SUB_ITEM_KIND = 'sub';
export const EMAIL_ITEM_KIND = 'email';
const SUB_KEY_PREFIX = 'sub#';
const EMAIL_KEY_PREFIX = 'email#';
/**
 * Event items only need to outlive the relay; they are kept past the 14 days a stream batch waits on
 * the relay's dead-letter queue, so a failed batch can still be re-published from the table.
 */
export const EVENT_ITEM_RETENTION_SECONDS = 30 * 24 * 60 * 60;
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

export function eventSortKey(version: number): string {
  return `event#${String(version).padStart(10, '0')}`;
}

export function subKey(sub: string): { readonly pk: string; readonly sk: string } {
  return { pk: `${SUB_KEY_PREFIX}${sub}`, sk: SUB_ITEM_KIND };
}

export function emailKey(email: string): { readonly pk: string; readonly sk: string } {
  return { pk: `${EMAIL_KEY_PREFIX}${email}`, sk: EMAIL_ITEM_KIND };
}

export function userKey(userId: string): { readonly pk: string; readonly sk: string } {
  return { pk: userId, sk: USER_SORT_KEY };
}

export function userItem(user: User): Record<string, unknown> {
  return {
    ...userKey(user.userId),
    kind: USER_ITEM_KIND,
    userId: user.userId,
    sub: user.sub,
    email: user.email,
    createdAt: user.createdAt,
  };
}

export function subItem(user: User): Record<string, unknown> {
  return { ...subKey(user.sub), kind: SUB_ITEM_KIND, sub: user.sub, userId: user.userId };
}

export function emailItem(user: User): Record<string, unknown> {
  return { ...emailKey(user.email), kind: EMAIL_ITEM_KIND, email: user.email, userId: user.userId };
}

export function eventItem(event: DomainEvent): Record<string, unknown> {
  const expiresAt = Math.floor(Date.parse(event.occurredAt) / 1000) + EVENT_ITEM_RETENTION_SECONDS;
  return {
    pk: event.aggregateId,
    sk: eventSortKey(event.version),
    ...eventItemAttributes(event),
    [EXPIRES_AT_ATTRIBUTE]: expiresAt,
  };
}

const storedUser = z.object({
  kind: z.literal(USER_ITEM_KIND),
  userId: z.string().min(1),
  sub: z.string().min(1),
  email: z.string().min(1),
  createdAt: z.string().min(1),
});

/** The user of a stored item; an item that is not one is a data error, never a client's. */
export function userFromItem(item: Record<string, unknown>): User {
  const parsed = storedUser.safeParse(item);
  if (!parsed.success) throw malformed('user', item, parsed.error);
  const { kind: _kind, ...user } = parsed.data;
  return user;
}

const storedSub = z.object({ kind: z.literal(SUB_ITEM_KIND), userId: z.string().min(1) });

/** The user id a stored sub item binds; an item that is not one is a data error. */
export function userIdFromSubItem(item: Record<string, unknown>): string {
  const parsed = storedSub.safeParse(item);
  if (!parsed.success) throw malformed('sub', item, parsed.error);
  return parsed.data.userId;
}

function malformed(what: string, item: Record<string, unknown>, error: z.ZodError): Error {
  const issues = error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ');
  return new Error(
    `the ${what} item pk=${String(item['pk'])} sk=${String(item['sk'])} is malformed: ${issues}`,
  );
}
