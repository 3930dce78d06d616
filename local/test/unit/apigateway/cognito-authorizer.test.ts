import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  authorizeCognito,
  authorizerClaims,
  utcDateString,
  type UserPoolKeyring,
} from '../../../src/apigateway/cognito-authorizer';
import type { ApiGatewayProxyEventV1 } from '../../../src/apigateway/proxy-event';
import { buildRestApis, type CognitoRouteAuthorizer } from '../../../src/apigateway/rest-api-model';
import { RestApiGateway } from '../../../src/apigateway/rest-api-server';
import { listen, type RunningServer } from '../../../src/cloud/http-server';
import { TokenSigner } from '../../../src/cognito/token-signer';
import type { InvokeOptions, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { synthesizeRestApis } from './synthesized-rest-apis';

const POOL_ID = 'us-east-1_TestPool1';
const OTHER_POOL_ID = 'us-east-1_OtherPool';
const ISSUER = `http://127.0.0.1:4566/${POOL_ID}`;
const NOW_S = 1_800_000_000;
const NOW_MS = NOW_S * 1000;

let signer: TokenSigner;
let keyring: UserPoolKeyring;

beforeAll(async () => {
  signer = await TokenSigner.create();
  keyring = {
    userPoolKeys: (userPoolId) =>
      userPoolId === POOL_ID || userPoolId === OTHER_POOL_ID
        ? { issuer: `http://127.0.0.1:4566/${userPoolId}`, jwks: signer.jwks() }
        : undefined,
  };
});

const authorizer: CognitoRouteAuthorizer = {
  name: 'Users',
  userPoolIds: [POOL_ID],
  headerName: 'Authorization',
  scopes: [],
};

const idToken = (claims: Record<string, unknown> = {}): Promise<string> =>
  signer.sign({
    sub: 'user-1',
    iss: ISSUER,
    aud: 'client-1',
    token_use: 'id',
    auth_time: NOW_S,
    iat: NOW_S,
    exp: NOW_S + 3_600,
    ...claims,
  });

describe('authorizeCognito', () => {
  it('accepts an ID token of one of its pools, raw or after Bearer, and passes its claims on', async () => {
    // Prepare
    const token = await idToken({ 'cognito:groups': ['staff', 'admins'] });

    // Act
    const raw = await authorizeCognito(authorizer, { Authorization: [token] }, keyring, NOW_MS);
    const bearer = await authorizeCognito(
      authorizer,
      { authorization: [`Bearer ${token}`] },
      keyring,
      NOW_MS,
    );

    // Assess
    expect(raw).toEqual({
      allowed: true,
      claims: {
        sub: 'user-1',
        iss: ISSUER,
        aud: 'client-1',
        token_use: 'id',
        auth_time: String(NOW_S),
        iat: 'Fri Jan 15 08:00:00 UTC 2027',
        exp: 'Fri Jan 15 09:00:00 UTC 2027',
        'cognito:groups': 'staff,admins',
      },
    });
    expect(bearer).toEqual(raw);
  });

  it.each<[string, Record<string, string[]>]>([
    ['no header', {}],
    ['an empty header', { Authorization: [''] }],
    ['no JWT', { Authorization: ['Bearer not-a-jwt'] }],
  ])('refuses %s as Unauthorized', async (_what, headers) => {
    expect(await authorizeCognito(authorizer, headers, keyring, NOW_MS)).toMatchObject({
      allowed: false,
      message: 'Unauthorized',
    });
  });

  it('refuses a token of another pool, even one the local cloud signs, and one signed with another key', async () => {
    // Prepare
    const otherPool = await idToken({ iss: `http://127.0.0.1:4566/${OTHER_POOL_ID}` });
    const otherSigner = await TokenSigner.create();
    const otherKey = await otherSigner.sign({ iss: ISSUER, token_use: 'id', iat: NOW_S, exp: NOW_S + 60 });

    // Act
    const fromOtherPool = await authorizeCognito(authorizer, { Authorization: [otherPool] }, keyring, NOW_MS);
    const fromOtherKey = await authorizeCognito(authorizer, { Authorization: [otherKey] }, keyring, NOW_MS);

    // Assess
    expect(fromOtherPool).toMatchObject({
      allowed: false,
      message: 'Unauthorized',
      reason: expect.stringContaining('issuer'),
    });
    expect(fromOtherKey).toMatchObject({
      allowed: false,
      message: 'Unauthorized',
      reason: expect.stringContaining('verify'),
    });
  });

  it("refuses an expired token with API Gateway's own message", async () => {
    // Prepare
    const token = await idToken();

    // Act
    const decision = await authorizeCognito(
      authorizer,
      { Authorization: [token] },
      keyring,
      NOW_MS + 3_600_000,
    );

    // Assess
    expect(decision).toEqual({
      allowed: false,
      message: 'The incoming token has expired',
      reason: 'the token has expired',
    });
  });

  it('wants an ID token without scopes, and an access token granting one of them with scopes', async () => {
    // Prepare
    const access = await signer.sign({
      iss: ISSUER,
      client_id: 'client-1',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin orders/read',
      iat: NOW_S,
      exp: NOW_S + 60,
    });
    const id = await idToken();
    const scoped = { ...authorizer, scopes: ['orders/read'] };

    // Act
    const accessWithoutScopes = await authorizeCognito(
      authorizer,
      { Authorization: [access] },
      keyring,
      NOW_MS,
    );
    const accessWithScopes = await authorizeCognito(scoped, { Authorization: [access] }, keyring, NOW_MS);
    const idWithScopes = await authorizeCognito(scoped, { Authorization: [id] }, keyring, NOW_MS);
    const otherScope = await authorizeCognito(
      { ...scoped, scopes: ['orders/write'] },
      { Authorization: [access] },
      keyring,
      NOW_MS,
    );

    // Assess
    expect(accessWithoutScopes).toMatchObject({ allowed: false });
    expect(accessWithScopes).toMatchObject({ allowed: true });
    expect(idWithScopes).toMatchObject({ allowed: false });
    expect(otherScope).toMatchObject({ allowed: false });
  });

  it("matches the IdentityValidationExpression against the token's audience", async () => {
    // Prepare
    const token = await idToken();

    // Act
    const matching = await authorizeCognito(
      { ...authorizer, validationExpression: 'client-\\d' },
      { Authorization: [token] },
      keyring,
      NOW_MS,
    );
    const other = await authorizeCognito(
      { ...authorizer, validationExpression: 'web-.*' },
      { Authorization: [token] },
      keyring,
      NOW_MS,
    );

    // Assess
    expect(matching).toMatchObject({ allowed: true });
    expect(other).toMatchObject({ allowed: false, message: 'Unauthorized' });
  });

  it('refuses everything when the authorizer names no pool the local cloud has', async () => {
    const decision = await authorizeCognito(
      { ...authorizer, userPoolIds: [] },
      { Authorization: [await idToken()] },
      keyring,
      NOW_MS,
    );
    expect(decision).toMatchObject({ allowed: false });
  });
});

describe('authorizerClaims', () => {
  it('renders every claim as a string, as a REST API passes them to the integration', () => {
    expect(
      authorizerClaims({
        exp: 1_680_633_579,
        iat: 1_680_629_979,
        auth_time: 1_680_629_979,
        email_verified: true,
        'cognito:groups': ['team_manager'],
        sub: 'abc',
        address: { formatted: 'x' },
      }),
    ).toEqual({
      exp: 'Tue Apr 04 18:39:39 UTC 2023',
      iat: 'Tue Apr 04 17:39:39 UTC 2023',
      auth_time: '1680629979',
      email_verified: 'true',
      'cognito:groups': 'team_manager',
      sub: 'abc',
      address: '{"formatted":"x"}',
    });
  });

  it("writes dates as Java's Date.toString() in UTC", () => {
    expect(utcDateString(0)).toBe('Thu Jan 01 00:00:00 UTC 1970');
    expect(utcDateString(1_704_067_199)).toBe('Sun Dec 31 23:59:59 UTC 2023');
  });
});

describe('a COGNITO_USER_POOLS method over HTTP', () => {
  class ClaimsInvoker implements LambdaInvoker {
    async invoke(_functionName: string, event: unknown, _options: InvokeOptions): Promise<InvokeResult> {
      const { requestContext } = event as ApiGatewayProxyEventV1;
      return { payload: { statusCode: 200, body: JSON.stringify(requestContext.authorizer ?? null) } };
    }

    async invokeAsync(): Promise<void> {
      throw new Error('API Gateway invokes synchronously');
    }
  }

  let server: RunningServer;
  let warnings: readonly string[];

  beforeAll(async () => {
    const synthesized = synthesizeRestApis((stack) => {
      const fn = new lambda.Function(stack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
      });
      const pool = cognito.UserPool.fromUserPoolArn(
        stack,
        'Pool',
        `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${POOL_ID}`,
      );
      const api = new apigateway.RestApi(stack, 'Api', { restApiName: 'api', cloudWatchRole: false });
      const users = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Users', { cognitoUserPools: [pool] });
      api.root.addResource('me').addMethod('GET', new apigateway.LambdaIntegration(fn), {
        authorizer: users,
        authorizationType: apigateway.AuthorizationType.COGNITO,
      });
      api.root.addResource('open').addMethod('GET', new apigateway.LambdaIntegration(fn));
      api.addGatewayResponse('Unauthorized', {
        type: apigateway.ResponseType.UNAUTHORIZED,
        responseHeaders: { 'WWW-Authenticate': "'Bearer'" },
      });
    });
    const [model] = buildRestApis(synthesized.resources, synthesized.rootResourceIds);
    if (!model) throw new Error('no API');
    warnings = model.warnings;
    const gateway = new RestApiGateway({ apis: [model], invoker: new ClaimsInvoker(), userPools: keyring });
    server = await listen(0, async (req, res) => {
      await gateway.handle(req, res);
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('reads the authorizer from the template and enforces it without a warning', () => {
    expect(warnings).toEqual([]);
  });

  it("answers 401 with API Gateway's headers and the API's UNAUTHORIZED gateway response", async () => {
    // Act
    const response = await fetch(`${server.url}/me`);

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it('passes the claims to the integration in requestContext.authorizer.claims; an open method gets none', async () => {
    // Prepare
    const token = await idToken({
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 60,
    });

    // Act
    const me = await fetch(`${server.url}/me`, { headers: { Authorization: token } });
    const open = await fetch(`${server.url}/open`);

    // Assess
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ claims: expect.objectContaining({ sub: 'user-1', token_use: 'id' }) });
    expect(await open.json()).toBeNull();
  });
});
