import { marshall } from '@aws-sdk/util-dynamodb';
import { toOutboxEntry } from '../../../shared/outbox/outbox-entry';
import {
  emailItem,
  eventItem,
  EVENT_ITEM_RETENTION_SECONDS,
  subItem,
  userFromItem,
  userIdFromSubItem,
  userItem,
} from '../../../functions/users/adapters/user-items';
import {
  USERS_EVENT_SOURCE,
  USERS_EVENT_TYPES,
  type UserRegistered,
} from '../../../functions/users/contracts';
import { aUser, FIXED_NOW, SUB, USER_ID } from './fixtures';

const userRegistered: UserRegistered = {
  eventId: '01JD0000000000000000000009',
  type: 'UserRegistered',
  aggregateType: 'User',
  aggregateId: USER_ID,
  version: 1,
  occurredAt: FIXED_NOW,
  correlationId: 'lambda-req-1',
  causationId: 'lambda-req-1',
  traceHeader: 'Root=1-abc;Sampled=1',
  schemaVersion: 1,
  data: { userId: USER_ID },
};

/** The stream record DynamoDB emits when the item is inserted (NEW_IMAGE view). */
const insertOf = (item: Record<string, unknown>) => ({
  eventName: 'INSERT' as const,
  dynamodb: { SequenceNumber: '100', NewImage: marshall(item) },
});

const target = { busName: 'shop', source: USERS_EVENT_SOURCE };

describe('the users table as an outbox', () => {
  test('an event item is what the outbox relay publishes as a shop.users event, unchanged', () => {
    // Act
    const entry = toOutboxEntry(insertOf(eventItem(userRegistered)), target);
    // Assess
    expect(entry).toMatchObject({
      kind: 'publish',
      aggregateId: USER_ID,
      entry: {
        EventBusName: 'shop',
        Source: 'shop.users',
        DetailType: 'UserRegistered',
        TraceHeader: 'Root=1-abc;Sampled=1',
      },
    });
    expect(entry.kind === 'publish' && JSON.parse(entry.entry.Detail ?? '')).toEqual(userRegistered);
    expect(USERS_EVENT_TYPES).toEqual(['UserRegistered']);
  });

  test('the user and its claims are never published', () => {
    for (const item of [userItem(aUser()), subItem(aUser()), emailItem(aUser())]) {
      expect(toOutboxEntry(insertOf(item), target)).toEqual({ kind: 'ignored' });
    }
  });

  test('lays out the user, its claims and its event in their own keys', () => {
    expect(userItem(aUser())).toEqual({
      pk: USER_ID,
      sk: 'user',
      kind: 'user',
      userId: USER_ID,
      sub: SUB,
      email: 'ada@example.com',
      createdAt: FIXED_NOW,
    });
    expect(subItem(aUser())).toEqual({ pk: `sub#${SUB}`, sk: 'sub', kind: 'sub', sub: SUB, userId: USER_ID });
    expect(emailItem(aUser())).toEqual({
      pk: 'email#ada@example.com',
      sk: 'email',
      kind: 'email',
      email: 'ada@example.com',
      userId: USER_ID,
    });
    expect(eventItem(userRegistered)).toMatchObject({
      pk: USER_ID,
      sk: 'event#0000000001',
      kind: 'event',
      expiresAt: Date.parse(FIXED_NOW) / 1000 + EVENT_ITEM_RETENTION_SECONDS,
    });
  });

  test('reads back what it wrote, and refuses an item that is not what it should be', () => {
    expect(userFromItem(userItem(aUser()))).toEqual(aUser());
    expect(userIdFromSubItem(subItem(aUser()))).toBe(USER_ID);
    expect(() => userFromItem({ ...userItem(aUser()), email: 42 })).toThrow(
      /the user item pk=usr_.* is malformed/,
    );
    expect(() => userIdFromSubItem(emailItem(aUser()))).toThrow(/the sub item .* is malformed/);
  });
});
