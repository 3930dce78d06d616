import { UnauthorizedError } from '../../../shared/errors/app-error';
import { callerOf, GROUPS_CLAIM, groupsOf, STAFF_GROUP, USER_ID_CLAIM } from '../../../shared/http/caller';
import { errorResponse } from '../../../shared/http/error-response';
import { proxyEvent, thrownBy } from './proxy-event';

const USER_ID = 'usr_01JD0000000000000000000001';

/** An event as API Gateway passes it behind a Cognito user pool authorizer, with these claims. */
const withClaims = (claims: unknown) =>
  proxyEvent({ requestContext: { requestId: 'req-1', authorizer: { claims } } });

describe('callerOf', () => {
  test('reads the user id from its claim, never from sub', () => {
    // Act
    const caller = callerOf(withClaims({ sub: 'a1b2c3', [USER_ID_CLAIM]: USER_ID }));
    // Assess
    expect(caller).toEqual({ userId: USER_ID, isStaff: false });
  });

  test.each([
    ['one group', STAFF_GROUP, true],
    ['a comma-separated list', `admins,${STAFF_GROUP}`, true],
    ['a bracketed list', `[admins ${STAFF_GROUP}]`, true],
    ['an array', ['admins', STAFF_GROUP], true],
    ['other groups', 'admins,staffers', false],
    ['an empty claim', '', false],
  ])('reads staff from cognito:groups given as %s', (_, groups, isStaff) => {
    const caller = callerOf(withClaims({ [USER_ID_CLAIM]: USER_ID, [GROUPS_CLAIM]: groups }));
    expect(caller.isStaff).toBe(isStaff);
  });

  test.each([
    ['no authorizer', proxyEvent({ requestContext: { requestId: 'req-1' } })],
    ['a null authorizer', proxyEvent({ requestContext: { requestId: 'req-1', authorizer: null } })],
    ['no claims', proxyEvent({ requestContext: { requestId: 'req-1', authorizer: { principalId: 'x' } } })],
    ['claims that are not an object', withClaims('custom:userId=usr_1')],
    ['claims without the user id', withClaims({ sub: 'a1b2c3', [GROUPS_CLAIM]: STAFF_GROUP })],
    ['a user id of another kind', withClaims({ [USER_ID_CLAIM]: 'acc_01JD0000000000000000000001' })],
    ['a malformed user id', withClaims({ [USER_ID_CLAIM]: 'usr_123' })],
    ['a user id that is not a string', withClaims({ [USER_ID_CLAIM]: 42 })],
  ])('refuses %s: 401 UNAUTHORIZED', (_, event) => {
    // Act
    const error = thrownBy(() => callerOf(event));
    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(errorResponse(error, 'req-1')).toMatchObject({
      statusCode: 401,
      body: { error: { code: 'UNAUTHORIZED' }, requestId: 'req-1' },
    });
  });
});

describe('groupsOf', () => {
  test('splits a flattened claim and drops what is not a name', () => {
    expect(groupsOf(' staff , admins ')).toEqual(['staff', 'admins']);
    expect(groupsOf(['staff', 7, null])).toEqual(['staff']);
    expect(groupsOf(undefined)).toEqual([]);
    expect(groupsOf({ staff: true })).toEqual([]);
  });
});
