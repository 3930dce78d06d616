import type { DomainEvent } from '../../../shared/event-sourcing/domain-event';

/** EventBridge `source` of every users event. */
export const USERS_EVENT_SOURCE = 'shop.users';
/** `aggregateType` of user events; `aggregateId` is the user id. */
export const USER_AGGREGATE_TYPE = 'User';

/**
 * What other contexts learn of a new user: the id, nothing else. The email and the Cognito `sub` stay
 * in the users context (the id is all another context may keep; the rest is asked for, e.g.
 * `GET /users/me`).
 */
export interface UserRegisteredData {
  /** `usr_` + ULID. */
  readonly userId: string;
}

/** `detail-type` `UserRegistered`; `version` 1: a user is registered once, when their sign-up is confirmed. */
export type UserRegistered = DomainEvent<'UserRegistered', UserRegisteredData>;
export type UsersEvent = UserRegistered;

/** For rules: `{ source: [USERS_EVENT_SOURCE], detailType: [...USERS_EVENT_TYPES] }`. */
export const USERS_EVENT_TYPES: readonly UsersEvent['type'][] = ['UserRegistered'];
