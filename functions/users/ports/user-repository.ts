import type { UserRegistered } from '../contracts/users-events';
import type { User } from '../domain/user';

/** What a registration did: stored the user, or found their `sub` registered already (a retried trigger). */
export type RegistrationOutcome = 'registered' | 'already-registered';

/**
 * Persistence of users and their outbox. Adapters: `DynamoDbUserRepository`, `InMemoryUserRepository`.
 */
export interface UserRepository {
  /**
   * Stores, all or nothing, the user, the claim of their `sub`, the claim of their email and their
   * `UserRegistered`. A `sub` claimed already is `'already-registered'` and writes nothing (whatever the
   * email: the user registered first stands, and no second event is published); an email claimed by
   * another `sub` is `EmailAlreadyRegisteredError`.
   */
  register(user: User, event: UserRegistered): Promise<RegistrationOutcome>;

  /** The user as registered (a strongly consistent read), or `undefined`. */
  find(userId: string): Promise<User | undefined>;

  /** The id of the user bound to a Cognito `sub` (a strongly consistent read), or `undefined`. */
  findUserIdBySub(sub: string): Promise<string | undefined>;
}
