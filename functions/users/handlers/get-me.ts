import { callerOf, httpHandler, type ProxyHandler } from '../../../shared/http';
import type { GetUser } from '../application/get-user';
import { NoQuery } from './schemas';
import { toUserResponse } from './user-response';
import type { AppLogger } from '../../../shared/observability/app-logger';

export interface GetMeHandlerDependencies {
  readonly getUser: GetUser;
  readonly logger?: AppLogger;
}

/**
 * `GET /users/me` → 200 with the caller (the user id of their verified token); 401 `UNAUTHORIZED`
 * without one; 404 `USER_NOT_FOUND` if the token's user is unknown here.
 */
export function makeHandler(deps: GetMeHandlerDependencies): ProxyHandler {
  return httpHandler({ query: NoQuery, logger: deps.logger }, async ({ event }) => ({
    statusCode: 200,
    body: toUserResponse(await deps.getUser(callerOf(event).userId)),
  }));
}
