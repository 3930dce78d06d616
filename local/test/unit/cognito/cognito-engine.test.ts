import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { AwsServiceError } from '../../../src/aws-protocol';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { CognitoEngine } from '../../../src/cognito/cognito-engine';
import { DEFAULT_PASSWORD_POLICY } from '../../../src/cognito/password-policy';
import type { UserPoolClientSettings, UserPoolSettings } from '../../../src/cognito/user-pool-settings';
import { serveUserPoolWellKnown } from '../../../src/cognito/well-known';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import type { InvokeOptions, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { localClientConfig } from '../../../src/testing/client-config';

/** Trigger functions in process: what they were sent, and what they answer. */
class FakeTriggers implements LambdaInvoker {
  readonly events: { functionName: string; event: Record<string, unknown> }[] = [];
  answer: (event: Record<string, unknown>) => Promise<InvokeResult> = async (event) => ({ payload: event });

  async invoke(functionName: string, event: unknown, _options: InvokeOptions): Promise<InvokeResult> {
    this.events.push({ functionName, event: event as Record<string, unknown> });
    return this.answer(event as Record<string, unknown>);
  }

  async invokeAsync(): Promise<void> {
    throw new Error('Cognito invokes its triggers synchronously');
  }
}

const EMAIL_POOL = 'us-east-1_EmailPool';
const PLAIN_POOL = 'us-east-1_PlainPool';
const EMAIL_CLIENT = 'emailclient0000000000000000';
const PLAIN_CLIENT = 'plainclient0000000000000000';
const DEFAULTS_CLIENT = 'defaultsclient0000000000000';
const PASSWORD = 'Str0ng!password';
const DAY_MS = 86_400_000;

const pool = (settings: Partial<UserPoolSettings>): UserPoolSettings => ({
  name: 'pool',
  usernameAttributes: [],
  aliasAttributes: [],
  caseSensitive: true,
  autoVerifiedAttributes: [],
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  adminCreateUserOnly: false,
  requiredAttributes: [],
  customAttributes: [],
  triggers: {},
  ...settings,
});

const client = (settings: Partial<UserPoolClientSettings>): UserPoolClientSettings => ({
  name: 'client',
  authFlows: new Set(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
  idTokenValiditySeconds: 3_600,
  accessTokenValiditySeconds: 3_600,
  refreshTokenValiditySeconds: 30 * 86_400,
  preventUserExistenceErrors: false,
  ...settings,
});

let now = Date.parse('2026-12-01T00:00:00Z');
let triggers: FakeTriggers;
let logs: string[];
let engine: CognitoEngine;
let server: RunningServer;
let sdk: CognitoIdentityProviderClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveJsonProtocol([engine], req, res)) return;
    if (serveUserPoolWellKnown(engine, req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  sdk = new CognitoIdentityProviderClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(async () => {
  triggers = new FakeTriggers();
  logs = [];
  engine = await CognitoEngine.create({
    issuerBaseUrl: server.url,
    invoker: triggers,
    log: (line) => logs.push(line),
    now: () => now,
  });
  engine.createUserPool({
    id: EMAIL_POOL,
    arn: `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${EMAIL_POOL}`,
    settings: pool({
      name: 'shoppers',
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      triggers: {
        postConfirmation: 'arn:aws:lambda:us-east-1:000000000000:function:confirmed',
        preTokenGeneration: {
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:tokens',
          version: '2',
        },
      },
    }),
  });
  engine.createUserPoolClient(EMAIL_POOL, {
    id: EMAIL_CLIENT,
    settings: client({ preventUserExistenceErrors: true, refreshTokenValiditySeconds: 3_600 }),
  });
  engine.createUserPool({
    id: PLAIN_POOL,
    arn: `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${PLAIN_POOL}`,
    settings: pool({ caseSensitive: false, aliasAttributes: ['email'], adminCreateUserOnly: true }),
  });
  engine.createUserPoolClient(PLAIN_POOL, { id: PLAIN_CLIENT, settings: client({}) });
  engine.createUserPoolClient(PLAIN_POOL, {
    id: DEFAULTS_CLIENT,
    settings: client({ authFlows: new Set(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']) }),
  });
});

afterAll(async () => {
  sdk?.destroy();
  await server?.close();
});

async function failureOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('the call succeeded');
}

function codeOf(email: string): string {
  const user = engine
    .describe()
    .flatMap((p) => p.users)
    .find((u) => u.attributes.email === email);
  return user?.confirmationCode ?? '';
}

async function signedUp(email: string): Promise<void> {
  await sdk.send(new SignUpCommand({ ClientId: EMAIL_CLIENT, Username: email, Password: PASSWORD }));
  await sdk.send(
    new ConfirmSignUpCommand({ ClientId: EMAIL_CLIENT, Username: email, ConfirmationCode: codeOf(email) }),
  );
}

const signIn = (clientId: string, username: string, password = PASSWORD) =>
  sdk.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

describe('CognitoEngine on the AWS JSON 1.1 protocol', () => {
  it("answers errors as Cognito sends them: the type in __type, Cognito's message", async () => {
    // Act
    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
      },
      body: JSON.stringify({ ClientId: 'nope', Username: 'a@example.com', Password: PASSWORD }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'User pool client nope does not exist.',
    });
  });

  it('names a missing member as the API validation does', async () => {
    // Act
    const error = await engine
      .handle('SignUp', { ClientId: EMAIL_CLIENT, Username: 'a@example.com' })
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      code: 'InvalidParameterException',
      message:
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
    });
  });

  it('refuses self sign-up in a pool that only administrators fill', async () => {
    expect(
      await failureOf(
        sdk.send(new SignUpCommand({ ClientId: PLAIN_CLIENT, Username: 'alan', Password: PASSWORD })),
      ),
    ).toEqual({ name: 'NotAuthorizedException', message: 'SignUp is not permitted for this user pool.' });
  });

  it('answers an unknown user as a wrong password when the client prevents user existence errors', async () => {
    expect(await failureOf(signIn(EMAIL_CLIENT, 'nobody@example.com'))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('refuses a flow the client does not allow, and the flows it does not emulate', async () => {
    // Act
    const notAllowed = await failureOf(signIn(DEFAULTS_CLIENT, 'alan'));
    const notEmulated = await failureOf(
      sdk.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_SRP_AUTH',
          ClientId: PLAIN_CLIENT,
          AuthParameters: { USERNAME: 'a' },
        }),
      ),
    );

    // Assess
    expect(notAllowed).toEqual({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
    expect(notEmulated.name).toBe('InvalidParameterException');
    expect(notEmulated.message).toContain('USER_SRP_AUTH is not emulated by the local Cognito');
  });

  it('lets a confirmation code expire after a day, and sends a new one on request', async () => {
    // Prepare
    const email = 'late@example.com';
    await sdk.send(new SignUpCommand({ ClientId: EMAIL_CLIENT, Username: email, Password: PASSWORD }));
    const first = codeOf(email);
    now += DAY_MS + 1;

    // Act
    const expired = await failureOf(
      sdk.send(
        new ConfirmSignUpCommand({ ClientId: EMAIL_CLIENT, Username: email, ConfirmationCode: first }),
      ),
    );
    const resent = await sdk.send(
      new ResendConfirmationCodeCommand({ ClientId: EMAIL_CLIENT, Username: email }),
    );
    await sdk.send(
      new ConfirmSignUpCommand({ ClientId: EMAIL_CLIENT, Username: email, ConfirmationCode: codeOf(email) }),
    );

    // Assess
    expect(expired).toEqual({
      name: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
    expect(resent.CodeDeliveryDetails).toEqual({
      AttributeName: 'email',
      DeliveryMedium: 'EMAIL',
      Destination: 'l***@e***',
    });
    expect(
      (await sdk.send(new AdminGetUserCommand({ UserPoolId: EMAIL_POOL, Username: email }))).UserStatus,
    ).toBe('CONFIRMED');
  });

  it("refuses a refresh token past the client's refresh validity", async () => {
    // Prepare
    await signedUp('refresh@example.com');
    const { AuthenticationResult } = await signIn(EMAIL_CLIENT, 'refresh@example.com');
    now += 3_600_000;

    // Act
    const failure = await failureOf(
      sdk.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: EMAIL_CLIENT,
          AuthParameters: { REFRESH_TOKEN: AuthenticationResult?.RefreshToken ?? '' },
        }),
      ),
    );

    // Assess
    expect(failure).toEqual({ name: 'NotAuthorizedException', message: 'Refresh Token has expired' });
  });

  it('finds users by any case in a case-insensitive pool, and by a verified email alias', async () => {
    // Prepare
    await sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: PLAIN_POOL,
        Username: 'Alan',
        UserAttributes: [
          { Name: 'email', Value: 'alan@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await sdk.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: PLAIN_POOL,
        Username: 'alan',
        Password: PASSWORD,
        Permanent: true,
      }),
    );

    // Act
    const byAlias = await signIn(PLAIN_CLIENT, 'alan@example.com');
    const emailAsUsername = await failureOf(
      sdk.send(new AdminCreateUserCommand({ UserPoolId: PLAIN_POOL, Username: 'grace@example.com' })),
    );

    // Assess
    expect(decodeJwt(byAlias.AuthenticationResult?.IdToken ?? '')['cognito:username']).toBe('Alan');
    expect(emailAsUsername).toEqual({
      name: 'InvalidParameterException',
      message: 'Username cannot be of email format, since user pool is configured for email alias.',
    });
  });

  it("refuses attributes the pool's schema does not have", async () => {
    expect(
      await failureOf(
        sdk.send(
          new AdminCreateUserCommand({
            UserPoolId: PLAIN_POOL,
            Username: 'barbara',
            UserAttributes: [{ Name: 'shoe_size', Value: '38' }],
          }),
        ),
      ),
    ).toEqual({
      name: 'InvalidParameterException',
      message:
        'Attributes did not conform to the schema: Type for attribute {shoe_size} could not be determined',
    });
  });

  it('sends PreTokenGeneration a version 2 event and applies its answer to the access token', async () => {
    // Prepare
    await signedUp('tenant@example.com');
    triggers.answer = async (event) => ({
      payload: {
        ...event,
        response: {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride: { tenant: 'shop-1' } },
            accessTokenGeneration: {
              claimsToAddOrOverride: { tenant: 'shop-1' },
              scopesToAdd: ['orders/read'],
            },
          },
        },
      },
    });

    // Act
    const { AuthenticationResult } = await signIn(EMAIL_CLIENT, 'tenant@example.com');

    // Assess
    const sent = triggers.events.find((e) => e.functionName === 'tokens')?.event;
    expect(sent).toMatchObject({
      version: '2',
      triggerSource: 'TokenGeneration_Authentication',
      request: { scopes: ['aws.cognito.signin.user.admin'] },
    });
    expect(decodeJwt(AuthenticationResult?.IdToken ?? '').tenant).toBe('shop-1');
    expect(decodeJwt(AuthenticationResult?.AccessToken ?? '')).toMatchObject({
      tenant: 'shop-1',
      scope: 'aws.cognito.signin.user.admin orders/read',
    });
  });

  it('fails the sign-in as Cognito does when PreTokenGeneration fails, cannot run, or answers nonsense', async () => {
    // Prepare
    await signedUp('trigger@example.com');
    const attempt = () => failureOf(signIn(EMAIL_CLIENT, 'trigger@example.com'));

    // Act
    triggers.answer = async () => ({
      payload: {},
      functionError: { errorType: 'Error', errorMessage: 'boom' },
    });
    const failed = await attempt();
    triggers.answer = async () => {
      throw new AwsServiceError('TooManyRequestsException', 'Rate exceeded', 429);
    };
    const notRun = await attempt();
    triggers.answer = async () => ({ payload: 'tokens please' });
    const nonsense = await attempt();

    // Assess
    expect(failed).toEqual({
      name: 'UserLambdaValidationException',
      message: 'PreTokenGeneration failed with error boom.',
    });
    expect(notRun).toEqual({
      name: 'UnexpectedLambdaException',
      message: 'PreTokenGeneration invocation failed due to error TooManyRequestsException.',
    });
    expect(nonsense).toEqual({
      name: 'InvalidLambdaResponseException',
      message: 'Unrecognizable lambda output',
    });
  });

  it('answers GetUser only for a valid access token of the pool', async () => {
    // Prepare
    await signedUp('tokens@example.com');
    const { AuthenticationResult } = await signIn(EMAIL_CLIENT, 'tokens@example.com');

    // Act
    const withIdToken = await failureOf(
      sdk.send(new GetUserCommand({ AccessToken: AuthenticationResult?.IdToken })),
    );
    const withGarbage = await failureOf(sdk.send(new GetUserCommand({ AccessToken: 'garbage' })));
    now += 3_600_000;
    const expired = await failureOf(
      sdk.send(new GetUserCommand({ AccessToken: AuthenticationResult?.AccessToken })),
    );

    // Assess
    expect(withIdToken).toEqual({ name: 'NotAuthorizedException', message: 'Invalid Access Token' });
    expect(withGarbage).toEqual({ name: 'NotAuthorizedException', message: 'Invalid Access Token' });
    expect(expired).toEqual({ name: 'NotAuthorizedException', message: 'Access Token has expired' });
  });

  it('keeps passwords out of the logs and of /_local/user-pools', async () => {
    // Act
    await signedUp('secret@example.com');

    // Assess
    expect(logs.join('\n')).not.toContain(PASSWORD);
    expect(logs.join('\n')).toContain('confirmation code');
    const described = JSON.stringify(engine.describe());
    expect(described).not.toContain(PASSWORD);
    expect(described).not.toContain('scrypt');
  });

  it("serves each pool's JWKS and OpenID configuration at its issuer, and 404 for an unknown pool", async () => {
    // Act
    const jwks = (await (await fetch(`${server.url}/${EMAIL_POOL}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    const configuration = await (
      await fetch(`${server.url}/${EMAIL_POOL}/.well-known/openid-configuration`)
    ).json();
    const unknown = await fetch(`${server.url}/us-east-1_Nope/.well-known/jwks.json`);

    // Assess
    expect(jwks.keys).toEqual([
      { alg: 'RS256', e: 'AQAB', kid: expect.any(String), kty: 'RSA', n: expect.any(String), use: 'sig' },
    ]);
    expect(configuration).toMatchObject({
      issuer: `${server.url}/${EMAIL_POOL}`,
      jwks_uri: `${server.url}/${EMAIL_POOL}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(unknown.status).toBe(404);
  });
});
