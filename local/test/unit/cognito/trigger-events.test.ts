import {
  CLIENT_ID_NOT_APPLICABLE,
  postConfirmationEvent,
  preTokenGenerationEvent,
  readClaimsOverride,
  triggerUserAttributes,
  type TriggerCaller,
} from '../../../src/cognito/trigger-events';
import { NO_OVERRIDE } from '../../../src/cognito/token-claims';

const caller: TriggerCaller = {
  userPoolId: 'us-east-1_AbCdEfGhI',
  userName: '5f1c0a4e-8a0e-4d1c-9a39-0a6c5c2b7e11',
  clientId: 'abcdefghijklmnopqrstuvwxyz',
  userAttributes: {
    sub: '5f1c0a4e-8a0e-4d1c-9a39-0a6c5c2b7e11',
    email: 'ada@example.com',
    email_verified: 'true',
    'cognito:user_status': 'CONFIRMED',
  },
};

describe('triggerUserAttributes', () => {
  it("gives sub first, the attributes, the user's status and the verified email alias", () => {
    // Act
    const attributes = triggerUserAttributes({
      sub: 'the-sub',
      status: 'CONFIRMED',
      attributes: { email: 'ada@example.com', email_verified: 'true' },
      signsInByEmail: true,
    });

    // Assess
    expect(Object.keys(attributes)[0]).toBe('sub');
    expect(attributes).toEqual({
      sub: 'the-sub',
      email: 'ada@example.com',
      email_verified: 'true',
      'cognito:user_status': 'CONFIRMED',
      'cognito:email_alias': 'ada@example.com',
    });
  });

  it('gives no alias for an unverified email or a pool that does not sign in by email', () => {
    const of = (verified: string, signsInByEmail: boolean) =>
      triggerUserAttributes({
        sub: 's',
        status: 'CONFIRMED',
        attributes: { email: 'a@b.c', email_verified: verified },
        signsInByEmail,
      });
    expect(of('false', true)).not.toHaveProperty('cognito:email_alias');
    expect(of('true', false)).not.toHaveProperty('cognito:email_alias');
  });
});

describe('postConfirmationEvent', () => {
  it("is Cognito's event: the common fields, the attributes, client metadata when given, an empty response", () => {
    expect(postConfirmationEvent({ ...caller, clientMetadata: { source: 'web' } })).toEqual({
      version: '1',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      region: 'us-east-1',
      userPoolId: caller.userPoolId,
      userName: caller.userName,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: caller.clientId },
      request: { userAttributes: caller.userAttributes, clientMetadata: { source: 'web' } },
      response: {},
    });
  });

  it('names no client for an admin confirmation', () => {
    const event = postConfirmationEvent({ ...caller, clientId: CLIENT_ID_NOT_APPLICABLE });
    expect(event.callerContext).toEqual({
      awsSdkVersion: 'aws-sdk-unknown-unknown',
      clientId: 'CLIENT_ID_NOT_APPLICABLE',
    });
    expect(event.request).toEqual({ userAttributes: caller.userAttributes });
  });
});

describe('preTokenGenerationEvent', () => {
  const groups = [{ name: 'staff', roleArn: 'arn:aws:iam::000000000000:role/staff' }, { name: 'readers' }];

  it('sends version 1 with the group configuration and a null claimsOverrideDetails', () => {
    expect(preTokenGenerationEvent('1', 'TokenGeneration_Authentication', caller, groups, ['scope'])).toEqual(
      {
        version: '1',
        triggerSource: 'TokenGeneration_Authentication',
        region: 'us-east-1',
        userPoolId: caller.userPoolId,
        userName: caller.userName,
        callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: caller.clientId },
        request: {
          userAttributes: caller.userAttributes,
          groupConfiguration: {
            groupsToOverride: ['staff', 'readers'],
            iamRolesToOverride: ['arn:aws:iam::000000000000:role/staff'],
            preferredRole: 'arn:aws:iam::000000000000:role/staff',
          },
        },
        response: { claimsOverrideDetails: null },
      },
    );
  });

  it('sends version 2 with the scopes and a null claimsAndScopeOverrideDetails', () => {
    // Act
    const event = preTokenGenerationEvent(
      '2',
      'TokenGeneration_RefreshTokens',
      caller,
      [],
      ['aws.cognito.signin.user.admin'],
    );

    // Assess
    expect(event).toMatchObject({
      version: '2',
      triggerSource: 'TokenGeneration_RefreshTokens',
      request: {
        groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
        scopes: ['aws.cognito.signin.user.admin'],
      },
      response: { claimsAndScopeOverrideDetails: null },
    });
  });
});

describe('readClaimsOverride', () => {
  it('reads a version 1 answer: ID token claims and the group override', () => {
    // Act
    const override = readClaimsOverride('1', {
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { role: 'staff' },
          claimsToSuppress: ['email'],
          groupOverrideDetails: { groupsToOverride: ['a'], iamRolesToOverride: [], preferredRole: null },
        },
      },
    });

    // Assess
    expect(override).toEqual({
      idToken: { claimsToAddOrOverride: { role: 'staff' }, claimsToSuppress: ['email'] },
      accessToken: NO_OVERRIDE.accessToken,
      groups: { groupsToOverride: ['a'], iamRolesToOverride: [] },
    });
  });

  it('reads a version 2 answer: both tokens and the scopes', () => {
    // Act
    const override = readClaimsOverride('2', {
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { tier: 'gold' } },
          accessTokenGeneration: { claimsToSuppress: ['x'], scopesToAdd: ['orders/read'] },
        },
      },
    });

    // Assess
    expect(override).toEqual({
      idToken: { claimsToAddOrOverride: { tier: 'gold' }, claimsToSuppress: [] },
      accessToken: {
        claimsToAddOrOverride: {},
        claimsToSuppress: ['x'],
        scopesToAdd: ['orders/read'],
        scopesToSuppress: [],
      },
    });
  });

  it('changes nothing when the trigger returns the event untouched', () => {
    expect(readClaimsOverride('1', { response: { claimsOverrideDetails: null } })).toBe(NO_OVERRIDE);
    expect(readClaimsOverride('2', { response: {} })).toBe(NO_OVERRIDE);
  });

  it('removes the groups for a null group override, as Cognito does', () => {
    const override = readClaimsOverride('1', {
      response: { claimsOverrideDetails: { groupOverrideDetails: null } },
    });
    expect(override.groups).toEqual({ groupsToOverride: [], iamRolesToOverride: [] });
  });

  it.each([
    ['no object', 'done'],
    ['a response that is no object', { response: 'ok' }],
    [
      'suppressed claims that are no list',
      { response: { claimsOverrideDetails: { claimsToSuppress: 'email' } } },
    ],
    [
      'claims to add that are a list',
      { response: { claimsOverrideDetails: { claimsToAddOrOverride: ['a'] } } },
    ],
  ])('refuses %s with InvalidLambdaResponseException', (_what, payload) => {
    expect(() => readClaimsOverride('1', payload)).toThrow(
      expect.objectContaining({
        code: 'InvalidLambdaResponseException',
        message: 'Unrecognizable lambda output',
      }),
    );
  });
});
