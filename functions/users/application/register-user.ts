import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import { registerUser, type User } from '../domain/user';
import type { UserRepository } from '../ports/user-repository';
import { envelope } from './event-envelope';

export interface RegisterUserInput {
  /** The Cognito user's `sub`. */
  readonly sub: string;
  /** As Cognito holds it; stored lower-cased. */
  readonly email: string;
}

export type RegisterUserResult =
  | { readonly outcome: 'registered'; readonly user: User }
  /** The `sub` was registered before (a retried trigger): nothing was written. */
  | { readonly outcome: 'already-registered'; readonly sub: string };

export type RegisterUser = (input: RegisterUserInput, context: CommandContext) => Promise<RegisterUserResult>;

export interface RegisterUserDependencies {
  readonly repository: UserRepository;
  /** `usr_` + ULID in production. */
  readonly newUserId: () => string;
}

/**
 * Registers the Cognito user `sub` under a new user id, with its `UserRegistered`, in one write; a `sub`
 * registered before is left as it is (idempotent), an email another user has is
 * `EmailAlreadyRegisteredError`.
 */
export function makeRegisterUser(deps: RegisterUserDependencies): RegisterUser {
  return async (input, context) => {
    const now = context.now();
    const { user, event } = registerUser({
      userId: deps.newUserId(),
      sub: input.sub,
      email: input.email,
      registeredAt: now.toISOString(),
    });
    const outcome = await deps.repository.register(user, envelope(event, user.userId, 1, context, now));
    return outcome === 'registered' ? { outcome, user } : { outcome, sub: user.sub };
  };
}
