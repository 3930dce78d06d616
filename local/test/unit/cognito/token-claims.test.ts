import {
  accessTokenClaims,
  idTokenClaims,
  NO_OVERRIDE,
  orderedGroups,
  overrideAccessTokenClaims,
  overrideIdTokenClaims,
  type ClaimsOverride,
  type TokenIssue,
  type TokenSubject,
} from '../../../src/cognito/token-claims';

const subject: TokenSubject = {
  sub: '5f1c0a4e-8a0e-4d1c-9a39-0a6c5c2b7e11',
  username: '5f1c0a4e-8a0e-4d1c-9a39-0a6c5c2b7e11',
  attributes: { email: 'ada@example.com', email_verified: 'true', 'custom:tier': 'gold' },
  groups: [],
};

const issue: TokenIssue = {
  issuer: 'http://127.0.0.1:4566/us-east-1_AbCdEfGhI',
  clientId: 'abcdefghijklmnopqrstuvwxyz',
  issuedAt: 1_800_000_000,
  authTime: 1_799_999_000,
  originJti: 'origin',
  eventId: 'event',
  idTokenJti: 'id-jti',
  accessTokenJti: 'access-jti',
  idTokenValiditySeconds: 3_600,
  accessTokenValiditySeconds: 300,
};

const staff = { name: 'staff', precedence: 2, roleArn: 'arn:aws:iam::000000000000:role/staff' };
const admins = { name: 'admins', precedence: 1, roleArn: 'arn:aws:iam::000000000000:role/admins' };
const readers = { name: 'readers' };

describe('idTokenClaims', () => {
  it("carries Cognito's ID token claims, the user's attributes and verified flags as booleans", () => {
    expect(idTokenClaims(subject, issue)).toEqual({
      sub: subject.sub,
      email: 'ada@example.com',
      email_verified: true,
      'custom:tier': 'gold',
      iss: issue.issuer,
      'cognito:username': subject.username,
      origin_jti: 'origin',
      aud: issue.clientId,
      event_id: 'event',
      token_use: 'id',
      auth_time: 1_799_999_000,
      exp: 1_800_003_600,
      iat: 1_800_000_000,
      jti: 'id-jti',
    });
  });

  it('lists the groups by precedence with their roles, the preferred role being the first', () => {
    // Act
    const claims = idTokenClaims({ ...subject, groups: [readers, staff, admins] }, issue);

    // Assess
    expect(claims['cognito:groups']).toEqual(['admins', 'staff', 'readers']);
    expect(claims['cognito:roles']).toEqual([admins.roleArn, staff.roleArn]);
    expect(claims['cognito:preferred_role']).toBe(admins.roleArn);
  });
});

describe('accessTokenClaims', () => {
  it("carries Cognito's access token claims: client_id and username, no aud, the user pool API scope", () => {
    expect(accessTokenClaims({ ...subject, groups: [staff] }, issue)).toEqual({
      sub: subject.sub,
      'cognito:groups': ['staff'],
      iss: issue.issuer,
      client_id: issue.clientId,
      origin_jti: 'origin',
      event_id: 'event',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: 1_799_999_000,
      exp: 1_800_000_300,
      iat: 1_800_000_000,
      jti: 'access-jti',
      username: subject.username,
    });
  });
});

describe('orderedGroups', () => {
  it('puts groups without precedence last, ties by name', () => {
    expect(
      orderedGroups([readers, { name: 'b', precedence: 1 }, { name: 'a', precedence: 1 }]).map((g) => g.name),
    ).toEqual(['a', 'b', 'readers']);
  });
});

describe('overriding claims (PreTokenGeneration)', () => {
  const override = (changes: Partial<ClaimsOverride>): ClaimsOverride => ({ ...NO_OVERRIDE, ...changes });

  it('adds, replaces and suppresses ID token claims; a claim both suppressed and replaced is suppressed', () => {
    // Act
    const claims = overrideIdTokenClaims(
      idTokenClaims(subject, issue),
      override({
        idToken: {
          claimsToAddOrOverride: {
            'shop:role': 'customer',
            'custom:tier': 'silver',
            email: 'other@example.com',
          },
          claimsToSuppress: ['email_verified', 'email'],
        },
      }),
    );

    // Assess
    expect(claims).toMatchObject({ 'shop:role': 'customer', 'custom:tier': 'silver' });
    expect(claims).not.toHaveProperty('email_verified');
    expect(claims).not.toHaveProperty('email');
  });

  it('keeps the claims Cognito reserves, whatever the trigger asks', () => {
    // Act
    const claims = overrideIdTokenClaims(
      idTokenClaims(subject, issue),
      override({
        idToken: {
          claimsToAddOrOverride: {
            sub: 'forged',
            aud: 'other',
            exp: 0,
            'cognito:username': 'root',
            token_use: 'access',
          },
          claimsToSuppress: ['iss', 'jti', 'auth_time'],
        },
      }),
    );

    // Assess
    expect(claims).toEqual(idTokenClaims(subject, issue));
  });

  it('replaces the groups in both tokens, and removes them for an empty override', () => {
    // Prepare
    const withGroups = { ...subject, groups: [staff] };
    const replaced = override({
      groups: { groupsToOverride: ['auditors'], iamRolesToOverride: [], preferredRole: 'arn:r' },
    });
    const removed = override({ groups: { groupsToOverride: [], iamRolesToOverride: [] } });

    // Act
    const id = overrideIdTokenClaims(idTokenClaims(withGroups, issue), replaced);
    const access = overrideAccessTokenClaims(accessTokenClaims(withGroups, issue), replaced);
    const idWithout = overrideIdTokenClaims(idTokenClaims(withGroups, issue), removed);
    const accessWithout = overrideAccessTokenClaims(accessTokenClaims(withGroups, issue), removed);

    // Assess
    expect(id['cognito:groups']).toEqual(['auditors']);
    expect(id).not.toHaveProperty('cognito:roles');
    expect(id['cognito:preferred_role']).toBe('arn:r');
    expect(access['cognito:groups']).toEqual(['auditors']);
    expect(idWithout).not.toHaveProperty('cognito:groups');
    expect(idWithout).not.toHaveProperty('cognito:preferred_role');
    expect(accessWithout).not.toHaveProperty('cognito:groups');
  });

  it('changes the access token (version 2): claims and scopes, never client_id or username', () => {
    // Act
    const claims = overrideAccessTokenClaims(
      accessTokenClaims(subject, issue),
      override({
        accessToken: {
          claimsToAddOrOverride: { tenant: 'shop-1', client_id: 'other', username: 'root' },
          claimsToSuppress: [],
          scopesToAdd: ['orders/read', 'orders/write'],
          scopesToSuppress: ['aws.cognito.signin.user.admin', 'orders/write'],
        },
      }),
    );

    // Assess
    expect(claims).toMatchObject({
      tenant: 'shop-1',
      client_id: issue.clientId,
      username: subject.username,
      scope: 'orders/read',
    });
  });

  it('changes nothing without an override', () => {
    expect(overrideIdTokenClaims(idTokenClaims(subject, issue), NO_OVERRIDE)).toEqual(
      idTokenClaims(subject, issue),
    );
    expect(overrideAccessTokenClaims(accessTokenClaims(subject, issue), NO_OVERRIDE)).toEqual(
      accessTokenClaims(subject, issue),
    );
  });
});
