/** The body of `GET /users/me`: the caller as the users context knows them. */
export interface UserResponse {
  /** `usr_` + ULID: the id every other context knows the user by. */
  readonly userId: string;
  /** Lower-cased. */
  readonly email: string;
  /** ISO-8601 instant of the registration (the sign-up's confirmation). */
  readonly createdAt: string;
}
