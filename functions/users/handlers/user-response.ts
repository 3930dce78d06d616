import type { UserResponse } from '../contracts/user-response';
import type { User } from '../domain/user';

/** Field by field: the `sub` is the users context's own business, never part of an answer. */
export function toUserResponse(user: User): UserResponse {
  return { userId: user.userId, email: user.email, createdAt: user.createdAt };
}
