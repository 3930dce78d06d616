/**
 * A user the orders context has heard of, from the users context's `UserRegistered`: the id and when
 * they registered, nothing else of theirs (the email and the rest stay with the users context).
 */
export interface KnownUser {
  readonly userId: string;
  /** The event's `occurredAt`: the instant the user was registered. */
  readonly registeredAt: string;
}

/** `recorded`: the user is known from now on; `already-known`: a duplicate or redelivery, nothing written. */
export type RecordOutcome = 'recorded' | 'already-known';

/** The projector's access: record a user once; the first record stays, whatever arrives after it. */
export interface KnownUserWriter {
  record(user: KnownUser): Promise<RecordOutcome>;
}

/** The query side's access. */
export interface KnownUserReader {
  find(userId: string): Promise<KnownUser | undefined>;
}
