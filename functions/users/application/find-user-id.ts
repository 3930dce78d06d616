import type { UserRepository } from '../ports/user-repository';

/** The user id bound to a Cognito `sub`, or `undefined` while the user is not (yet) registered. */
export type FindUserId = (sub: string) => Promise<string | undefined>;

export function makeFindUserId(deps: { readonly repository: UserRepository }): FindUserId {
  return (sub) => deps.repository.findUserIdBySub(sub);
}
