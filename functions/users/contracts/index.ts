/** What other contexts may know of users: the answer of its API and its events on the bus. */
export type { UserResponse } from './user-response';
export {
  USER_AGGREGATE_TYPE,
  USERS_EVENT_SOURCE,
  USERS_EVENT_TYPES,
  type UserRegistered,
  type UserRegisteredData,
  type UsersEvent,
} from './users-events';
