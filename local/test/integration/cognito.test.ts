import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWTPayload,
} from 'jose';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import { SHORT_TOKEN_VALIDITY_SECONDS } from '../fixtures/cognito-fixture-app';
import { startFixtureCloud } from '../support/fixture-cloud';

interface FixtureOutputs {
  readonly UserPoolId: string;
  readonly UserPoolArn: string;
  readonly UserPoolProviderUrl: string;
  readonly UserPoolClientId: string;
  readonly ShortLivedClientId: string;
}

interface UserPoolsView {
  readonly userPools: readonly {
    readonly users: readonly {
      readonly attributes: Record<string, string>;
      readonly confirmationCode?: string;
    }[];
  }[];
}

const PASSWORD = 'Correct-Horse-42';

let cloud: LocalCloud;
let logs: string[];
let cognito: CognitoIdentityProviderClient;
let outputs: FixtureOutputs;

beforeAll(async () => {
  ({ cloud, logs } = await startFixtureCloud({
    appCommand: 'npx tsx test/fixtures/cognito-fixture-app.ts',
    defaultApiName: 'cognito-fixture-api',
  }));
  cognito = new CognitoIdentityProviderClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  const all = (await (await fetch(`${cloud.apiUrl}/_local/outputs`)).json()) as Record<
    string,
    FixtureOutputs
  >;
  outputs = all.CognitoFixture as FixtureOutputs;
}, 180_000);

afterAll(async () => {
  cognito?.destroy();
  await cloud?.stop();
});

/** The code Cognito would have emailed, as the local cloud shows it. */
async function confirmationCode(email: string): Promise<string> {
  const view = (await (await fetch(`${cloud.apiUrl}/_local/user-pools`)).json()) as UserPoolsView;
  const user = view.userPools.flatMap((pool) => pool.users).find((u) => u.attributes.email === email);
  if (user?.confirmationCode === undefined) throw new Error(`no confirmation code for ${email}`);
  return user.confirmationCode;
}

async function signUp(email: string): Promise<string> {
  const { UserSub } = await cognito.send(
    new SignUpCommand({ ClientId: outputs.UserPoolClientId, Username: email, Password: PASSWORD }),
  );
  return UserSub ?? '';
}

async function signUpConfirmed(email: string): Promise<string> {
  const sub = await signUp(email);
  await cognito.send(
    new ConfirmSignUpCommand({
      ClientId: outputs.UserPoolClientId,
      Username: email,
      ConfirmationCode: await confirmationCode(email),
    }),
  );
  return sub;
}

async function signIn(
  email: string,
  password = PASSWORD,
  clientId = outputs.UserPoolClientId,
): Promise<AuthenticationResultType> {
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  if (!AuthenticationResult) throw new Error(`no tokens for ${email}`);
  return AuthenticationResult;
}

async function callApi(
  path: string,
  authorization?: string,
): Promise<{ status: number; errorType: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    headers: authorization === undefined ? {} : { Authorization: authorization },
  });
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** The rejection of `promise`, for asserting on the error the SDK raised. */
async function failureOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('the call succeeded');
}

function postConfirmationEvents(): Record<string, unknown>[] {
  return logs.flatMap((line) => {
    const at = line.indexOf('{"postConfirmation"');
    if (at < 0) return [];
    return [(JSON.parse(line.slice(at)) as { postConfirmation: Record<string, unknown> }).postConfirmation];
  });
}

describe('the local Cognito on test/fixtures/cognito-fixture-app.ts', () => {
  it("resolves the pool's and clients' ids as CloudFormation does, and answers every stack's outputs", () => {
    expect(outputs.UserPoolId).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
    expect(outputs.UserPoolClientId).toMatch(/^[a-z0-9]{26}$/);
    expect(outputs.ShortLivedClientId).toMatch(/^[a-z0-9]{26}$/);
    expect(outputs.UserPoolArn).toBe(
      `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${outputs.UserPoolId}`,
    );
    expect(outputs.UserPoolProviderUrl).toBe(`${cloud.edgeUrl}/${outputs.UserPoolId}`);
    expect(cloud.summary.userPools).toEqual([`cognito-fixture-users (${outputs.UserPoolId})`]);
    expect(cloud.summary.unsupported).toContain(
      `CognitoFixture/UsersShortLivedClient39419FEF: IdTokenValidity ${SHORT_TOKEN_VALIDITY_SECONDS} seconds is outside what AWS accepts (300 to 86400 seconds): honoured locally`,
    );
  });

  it("signs a user up, confirms them with the logged code and runs PostConfirmation with Cognito's event", async () => {
    // Prepare
    const email = 'ada@example.com';

    // Act
    const signedUp = await cognito.send(
      new SignUpCommand({ ClientId: outputs.UserPoolClientId, Username: email, Password: PASSWORD }),
    );
    const code = await confirmationCode(email);
    await cognito.send(
      new ConfirmSignUpCommand({
        ClientId: outputs.UserPoolClientId,
        Username: email,
        ConfirmationCode: code,
      }),
    );

    // Assess
    expect(signedUp.UserConfirmed).toBe(false);
    expect(signedUp.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(signedUp.CodeDeliveryDetails).toEqual({
      AttributeName: 'email',
      DeliveryMedium: 'EMAIL',
      Destination: 'a***@e***',
    });
    expect(logs.some((line) => line.includes(`confirmation code ${code}`) && line.includes(email))).toBe(
      true,
    );
    const event = await eventually(async () =>
      postConfirmationEvents().find((e) => e.userName === signedUp.UserSub),
    );
    expect(event).toEqual({
      version: '1',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      region: 'us-east-1',
      userPoolId: outputs.UserPoolId,
      userName: signedUp.UserSub,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: outputs.UserPoolClientId },
      request: {
        userAttributes: {
          sub: signedUp.UserSub,
          email,
          email_verified: 'true',
          'cognito:user_status': 'CONFIRMED',
          'cognito:email_alias': email,
        },
      },
      response: {},
    });
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: outputs.UserPoolId, Username: email }),
    );
    expect(user.Username).toBe(signedUp.UserSub);
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserAttributes).toEqual([
      { Name: 'sub', Value: signedUp.UserSub },
      { Name: 'email', Value: email },
      { Name: 'email_verified', Value: 'true' },
    ]);
  });

  it("issues RS256 tokens that verify against the pool's JWKS, with Cognito's claims and the trigger's", async () => {
    // Prepare
    const email = 'grace@example.com';
    const sub = await signUpConfirmed(email);
    const issuer = `${cloud.edgeUrl}/${outputs.UserPoolId}`;
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));

    // Act
    const tokens = await signIn(email);
    const id = await jwtVerify(tokens.IdToken ?? '', jwks, { issuer, audience: outputs.UserPoolClientId });
    const access = await jwtVerify(tokens.AccessToken ?? '', jwks, { issuer });
    const configuration = (await (
      await fetch(`${issuer}/.well-known/openid-configuration`)
    ).json()) as JWTPayload;

    // Assess
    expect(tokens.TokenType).toBe('Bearer');
    expect(tokens.ExpiresIn).toBe(3600);
    expect(tokens.RefreshToken).toEqual(expect.any(String));
    expect(id.protectedHeader).toEqual({ alg: 'RS256', kid: expect.any(String) });
    expect(id.payload).toEqual({
      sub,
      email,
      email_verified: true,
      iss: issuer,
      'cognito:username': sub,
      origin_jti: expect.any(String),
      aud: outputs.UserPoolClientId,
      event_id: expect.any(String),
      token_use: 'id',
      auth_time: expect.any(Number),
      exp: (id.payload.iat ?? 0) + 3600,
      iat: expect.any(Number),
      jti: expect.any(String),
      'shop:role': 'customer',
      'shop:token-trigger': 'TokenGeneration_Authentication',
    });
    expect(access.payload).toEqual({
      sub,
      iss: issuer,
      client_id: outputs.UserPoolClientId,
      origin_jti: id.payload.origin_jti,
      event_id: id.payload.event_id,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: id.payload.auth_time,
      exp: (access.payload.iat ?? 0) + 3600,
      iat: expect.any(Number),
      jti: expect.any(String),
      username: sub,
    });
    expect(configuration).toMatchObject({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
  });

  it('serves the Cognito-protected method with the claims as API Gateway passes them; the open one to anyone', async () => {
    // Prepare
    const email = 'katherine@example.com';
    const sub = await signUpConfirmed(email);
    const { IdToken = '' } = await signIn(email);

    // Act
    const raw = await callApi('/me', IdToken);
    const bearer = await callApi('/me', `Bearer ${IdToken}`);
    const open = await callApi('/public');

    // Assess
    expect(raw.status).toBe(200);
    expect(raw.body.claims).toEqual({
      sub,
      email,
      email_verified: 'true',
      iss: `${cloud.edgeUrl}/${outputs.UserPoolId}`,
      'cognito:username': sub,
      origin_jti: expect.any(String),
      aud: outputs.UserPoolClientId,
      event_id: expect.any(String),
      token_use: 'id',
      auth_time: expect.stringMatching(/^\d+$/),
      exp: expect.stringMatching(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/),
      iat: expect.stringMatching(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/),
      jti: expect.any(String),
      'shop:role': 'customer',
      'shop:token-trigger': 'TokenGeneration_Authentication',
    });
    expect(bearer.status).toBe(200);
    expect(open).toEqual({ status: 200, errorType: null, body: { resource: '/public', claims: null } });
  });

  it('refuses the protected method without a token, with a tampered one, one of another key or an access token', async () => {
    // Prepare
    const email = 'margaret@example.com';
    await signUpConfirmed(email);
    const { IdToken = '', AccessToken = '' } = await signIn(email);
    const [header = '', , signature = ''] = IdToken.split('.');
    const claims = decodeJwt(IdToken);
    const promoted = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['staff'] })).toString(
      'base64url',
    );
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(IdToken).kid ?? '' })
      .sign(privateKey);

    // Act
    const answers = await Promise.all([
      callApi('/me'),
      callApi('/me', `${header}.${promoted}.${signature}`),
      callApi('/me', foreign),
      callApi('/me', AccessToken),
      callApi('/me', 'not-a-token'),
    ]);

    // Assess
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 401,
        errorType: 'UnauthorizedException',
        body: { message: 'Unauthorized' },
      });
    }
  });

  it('refuses an expired token (the short-lived client) at the gateway and at GetUser', async () => {
    // Prepare
    const email = 'hedy@example.com';
    await signUpConfirmed(email);
    const { IdToken = '', AccessToken = '' } = await signIn(email, PASSWORD, outputs.ShortLivedClientId);
    expect(decodeJwt(IdToken).exp).toBe((decodeJwt(IdToken).iat ?? 0) + SHORT_TOKEN_VALIDITY_SECONDS);

    // Act: the token expires within seconds; poll until the gateway says so.
    const refused = await eventually(
      async () => {
        const answer = await callApi('/me', IdToken);
        return answer.status === 401 ? answer : undefined;
      },
      { what: 'the expired token refused', timeoutMs: 15_000, intervalMs: 200 },
    );
    const getUser = await failureOf(cognito.send(new GetUserCommand({ AccessToken })));

    // Assess
    expect(refused).toEqual({
      status: 401,
      errorType: 'UnauthorizedException',
      body: { message: 'The incoming token has expired' },
    });
    expect(getUser).toEqual({ name: 'NotAuthorizedException', message: 'Access Token has expired' });
  });

  it('refreshes tokens: new ones from the same sign-in, through the trigger again, and no new refresh token', async () => {
    // Prepare
    const email = 'barbara@example.com';
    await signUpConfirmed(email);
    const first = await signIn(email);

    // Act
    const { AuthenticationResult: refreshed } = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: outputs.UserPoolClientId,
        AuthParameters: { REFRESH_TOKEN: first.RefreshToken ?? '' },
      }),
    );
    const invalid = await failureOf(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: outputs.UserPoolClientId,
          AuthParameters: { REFRESH_TOKEN: 'not-a-refresh-token' },
        }),
      ),
    );

    // Assess
    expect(refreshed?.RefreshToken).toBeUndefined();
    const before = decodeJwt(first.IdToken ?? '');
    const after = decodeJwt(refreshed?.IdToken ?? '');
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.jti).not.toBe(before.jti);
    expect(after['shop:token-trigger']).toBe('TokenGeneration_RefreshTokens');
    expect((await callApi('/me', refreshed?.IdToken)).status).toBe(200);
    expect(invalid).toEqual({ name: 'NotAuthorizedException', message: 'Invalid Refresh Token' });
  });

  it('puts the groups in both tokens, the trigger and the claims once the user is added to one', async () => {
    // Prepare
    const email = 'frances@example.com';
    await signUpConfirmed(email);

    // Act
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: outputs.UserPoolId, Username: email, GroupName: 'staff' }),
    );
    const tokens = await signIn(email);
    const unknownGroup = await failureOf(
      cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: outputs.UserPoolId,
          Username: email,
          GroupName: 'nobody',
        }),
      ),
    );

    // Assess
    expect(decodeJwt(tokens.IdToken ?? '')['cognito:groups']).toEqual(['staff']);
    expect(decodeJwt(tokens.IdToken ?? '')['shop:role']).toBe('staff');
    expect(decodeJwt(tokens.AccessToken ?? '')['cognito:groups']).toEqual(['staff']);
    const { body } = await callApi('/me', tokens.IdToken);
    expect(body.claims).toMatchObject({ 'cognito:groups': 'staff', 'shop:role': 'staff' });
    expect(unknownGroup).toEqual({ name: 'ResourceNotFoundException', message: 'Group not found.' });
  });

  it("answers GetUser with the access token's user", async () => {
    // Prepare
    const email = 'radia@example.com';
    const sub = await signUpConfirmed(email);
    const { AccessToken } = await signIn(email);

    // Act
    const user = await cognito.send(new GetUserCommand({ AccessToken }));

    // Assess
    expect(user.Username).toBe(sub);
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: email });
  });

  it("answers Cognito's errors for a wrong password, an unknown or unconfirmed user, a taken email and a weak password", async () => {
    // Prepare
    const email = 'mary@example.com';
    await signUp(email);
    const attempt = (username: string, password: string) =>
      failureOf(
        cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: outputs.UserPoolClientId,
            AuthParameters: { USERNAME: username, PASSWORD: password },
          }),
        ),
      );
    const signUpAs = (username: string, password: string) =>
      failureOf(
        cognito.send(
          new SignUpCommand({ ClientId: outputs.UserPoolClientId, Username: username, Password: password }),
        ),
      );

    // Act
    const failures = {
      unconfirmed: await attempt(email, PASSWORD),
      wrongPassword: await attempt(email, 'Wrong-Password-1'),
      unknownUser: await attempt('nobody@example.com', PASSWORD),
      taken: await signUpAs(email, PASSWORD),
      weak: await signUpAs('weak@example.com', 'lowercase-only-1'),
      short: await signUpAs('short@example.com', 'Sh0rt'),
      notAnEmail: await signUpAs('mary', PASSWORD),
      wrongCode: await failureOf(
        cognito.send(
          new ConfirmSignUpCommand({
            ClientId: outputs.UserPoolClientId,
            Username: email,
            ConfirmationCode: (await confirmationCode(email)) === '000000' ? '111111' : '000000',
          }),
        ),
      ),
      unknownClient: await failureOf(
        cognito.send(
          new SignUpCommand({ ClientId: 'a'.repeat(26), Username: 'x@example.com', Password: PASSWORD }),
        ),
      ),
    };

    // Assess
    expect(failures).toEqual({
      unconfirmed: { name: 'UserNotConfirmedException', message: 'User is not confirmed.' },
      wrongPassword: { name: 'NotAuthorizedException', message: 'Incorrect username or password.' },
      unknownUser: { name: 'UserNotFoundException', message: 'User does not exist.' },
      taken: { name: 'UsernameExistsException', message: 'An account with the given email already exists.' },
      weak: {
        name: 'InvalidPasswordException',
        message: 'Password did not conform with policy: Password must have uppercase characters',
      },
      short: {
        name: 'InvalidPasswordException',
        message: 'Password did not conform with policy: Password not long enough',
      },
      notAnEmail: { name: 'InvalidParameterException', message: 'Username should be an email.' },
      wrongCode: {
        name: 'CodeMismatchException',
        message: 'Invalid verification code provided, please try again.',
      },
      unknownClient: {
        name: 'ResourceNotFoundException',
        message: `User pool client ${'a'.repeat(26)} does not exist.`,
      },
    });
  });

  it('fails a confirmation whose PostConfirmation trigger fails, as Cognito does (the user stays confirmed)', async () => {
    // Prepare
    const email = 'refused-eve@example.com';
    await signUp(email);

    // Act
    const failure = await failureOf(
      cognito.send(
        new ConfirmSignUpCommand({
          ClientId: outputs.UserPoolClientId,
          Username: email,
          ConfirmationCode: await confirmationCode(email),
        }),
      ),
    );

    // Assess
    expect(failure).toEqual({
      name: 'UserLambdaValidationException',
      message: 'PostConfirmation failed with error This address may not join the shop.',
    });
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: outputs.UserPoolId, Username: email }),
    );
    expect(user.UserStatus).toBe('CONFIRMED');
  });

  it('lets an administrator confirm a sign-up (the trigger sees no client) and create users with a password', async () => {
    // Prepare
    const confirmed = 'alan@example.com';
    const created = 'joan@example.com';
    const invited = 'dorothy@example.com';
    const sub = await signUp(confirmed);

    // Act
    await cognito.send(
      new AdminConfirmSignUpCommand({ UserPoolId: outputs.UserPoolId, Username: confirmed }),
    );
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: outputs.UserPoolId,
        Username: created,
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
        MessageAction: 'SUPPRESS',
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: outputs.UserPoolId,
        Username: created,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: outputs.UserPoolId,
        Username: invited,
        TemporaryPassword: 'Temporary-Pass-1',
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenge = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: outputs.UserPoolClientId,
        AuthParameters: { USERNAME: invited, PASSWORD: 'Temporary-Pass-1' },
      }),
    );
    const answered = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: outputs.UserPoolClientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: invited, NEW_PASSWORD: PASSWORD },
      }),
    );

    // Assess
    const event = await eventually(async () => postConfirmationEvents().find((e) => e.userName === sub));
    expect(event.callerContext).toEqual({
      awsSdkVersion: 'aws-sdk-unknown-unknown',
      clientId: 'CLIENT_ID_NOT_APPLICABLE',
    });
    // An administrator's confirmation verifies nothing: the email stays unverified.
    expect(event.request).toEqual({
      userAttributes: { sub, email: confirmed, 'cognito:user_status': 'CONFIRMED' },
    });
    expect(decodeJwt((await signIn(created)).IdToken ?? '').email_verified).toBe(true);
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(decodeJwt(answered.AuthenticationResult?.IdToken ?? '')['shop:token-trigger']).toBe(
      'TokenGeneration_NewPasswordChallenge',
    );
    expect((await signIn(invited)).AccessToken).toEqual(expect.any(String));
  });
});
