import { UserNotFoundError } from '../domain/errors';
import type { User } from '../domain/user';
import type { UserRepository } from '../ports/user-repository';

export type GetUser = (userId: string) => Promise<User>;

export function makeGetUser(deps: { readonly repository: UserRepository }): GetUser {
  return async (userId) => {
    const user = await deps.repository.find(userId);
    if (user === undefined) throw new UserNotFoundError(userId);
    return user;
  };
}
