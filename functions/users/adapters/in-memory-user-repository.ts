import type { UserRegistered, UsersEvent } from '../contracts/users-events';
import { EmailAlreadyRegisteredError } from '../domain/errors';
import type { User } from '../domain/user';
import type { RegistrationOutcome, UserRepository } from '../ports/user-repository';

/**
 * Users in Maps, with the DynamoDB adapter's semantics (user, claims and event written together or not
 * at all; a claimed sub is `'already-registered'`, a claimed email `EmailAlreadyRegisteredError`), for
 * tests. Each call yields first, as a network call would; check and write have no await between.
 */
export class InMemoryUserRepository implements UserRepository {
  private readonly users = new Map<string, User>();
  private readonly userIdsBySub = new Map<string, string>();
  private readonly userIdsByEmail = new Map<string, string>();
  /** Every event written, in commit order: what the table's stream would carry. */
  readonly outbox: UsersEvent[] = [];

  async register(user: User, event: UserRegistered): Promise<RegistrationOutcome> {
    await Promise.resolve();
    if (this.userIdsBySub.has(user.sub)) return 'already-registered';
    if (this.userIdsByEmail.has(user.email)) throw new EmailAlreadyRegisteredError(user.email);
    if (this.users.has(user.userId)) throw new Error(`User ${user.userId} exists already`);
    this.users.set(user.userId, { ...user });
    this.userIdsBySub.set(user.sub, user.userId);
    this.userIdsByEmail.set(user.email, user.userId);
    this.outbox.push(structuredClone(event));
    return 'registered';
  }

  async find(userId: string): Promise<User | undefined> {
    await Promise.resolve();
    const user = this.users.get(userId);
    return user === undefined ? undefined : { ...user };
  }

  async findUserIdBySub(sub: string): Promise<string | undefined> {
    await Promise.resolve();
    return this.userIdsBySub.get(sub);
  }

  /** Every user stored, in registration order. */
  all(): User[] {
    return [...this.users.values()].map((user) => ({ ...user }));
  }
}
