/**
 * A user of the shop: the platform's own id (`usr_` + ULID) bound to the Cognito identity (`sub`) that
 * signed up, and the email they signed up with. Registration is the user's only change so far; it is a
 * pure function returning the user and the event that announces it, which the application writes in one
 * transaction with the claims on the `sub` and the email (each bound to one user).
 */
import type { EventPayload } from '../../../shared/event-sourcing/domain-event';
import type { UserRegistered } from '../contracts/users-events';
import { InvalidUserError } from './errors';

/** RFC 5321's limit on a forward path, the most an address can be. */
export const MAX_EMAIL_LENGTH = 254;
/** Cognito's `sub` is a UUID; anything up to this length is accepted, nothing longer. */
export const MAX_SUB_LENGTH = 128;
/** One `@` with something on both sides and no whitespace: Cognito validated the address already. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

export interface User {
  /** `usr_` + ULID. */
  readonly userId: string;
  /** The Cognito user's `sub`, which never changes (unlike their email). */
  readonly sub: string;
  /** Lower-cased and trimmed. */
  readonly email: string;
  /** ISO-8601 instant of the registration. */
  readonly createdAt: string;
}

export interface NewUser {
  readonly userId: string;
  readonly sub: string;
  readonly email: string;
  /** ISO-8601 instant. */
  readonly registeredAt: string;
}

export interface UserRegistration {
  readonly user: User;
  readonly event: EventPayload<UserRegistered>;
}

/**
 * The one spelling of an address the platform keeps and compares: trimmed and lower-cased, so
 * `Ada@Example.com` and `ada@example.com` are the same user (the pool signs in case-insensitively too).
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function registerUser(input: NewUser): UserRegistration {
  const sub = input.sub.trim();
  if (sub.length === 0) throw new InvalidUserError('sub', 'must not be empty');
  if (sub.length > MAX_SUB_LENGTH) {
    throw new InvalidUserError('sub', `must be at most ${MAX_SUB_LENGTH} characters long`);
  }
  const email = normalizeEmail(input.email);
  if (!EMAIL_SHAPE.test(email)) throw new InvalidUserError('email', 'must be an email address');
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new InvalidUserError('email', `must be at most ${MAX_EMAIL_LENGTH} characters long`);
  }
  const user: User = { userId: input.userId, sub, email, createdAt: input.registeredAt };
  return { user, event: { type: 'UserRegistered', data: { userId: user.userId } } };
}
