import type { UserRegistered } from '../../users/contracts';
import type { KnownUserWriter } from '../ports/known-users';
import type { ProjectionOutcome } from './project-order-event';

export type RecordKnownUser = (event: UserRegistered) => Promise<ProjectionOutcome>;

/**
 * Records the user a `UserRegistered` tells of as known to the orders context: their id and when they
 * registered. A user registers once, so the first record is the right one: a duplicate, a redelivery or
 * a late copy finds the user known and writes nothing (`duplicate`).
 */
export function makeRecordKnownUser(deps: { readonly knownUsers: KnownUserWriter }): RecordKnownUser {
  return async (event) => {
    const outcome = await deps.knownUsers.record({
      userId: event.data.userId,
      registeredAt: event.occurredAt,
    });
    return outcome === 'recorded' ? 'applied' : 'duplicate';
  };
}
