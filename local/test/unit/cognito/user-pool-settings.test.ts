import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_PASSWORD_POLICY } from '../../../src/cognito/password-policy';
import { readUserPool, readUserPoolClient, readUserPoolGroup } from '../../../src/cognito/user-pool-settings';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The template CDK writes for a pool with email sign-in, a policy, triggers and two clients. */
function synthesizedPool(): Resources {
  const app = new App();
  const stack = new Stack(app, 'Pools');
  const trigger = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (e) => e;'),
    });
  const pool = new cognito.UserPool(stack, 'Users', {
    userPoolName: 'users',
    selfSignUpEnabled: true,
    signInAliases: { email: true },
    autoVerify: { email: true },
    signInCaseSensitive: false,
    standardAttributes: { givenName: { required: true } },
    customAttributes: { tier: new cognito.StringAttribute({ mutable: true }) },
    passwordPolicy: { minLength: 12, requireSymbols: false, tempPasswordValidity: Duration.days(3) },
    lambdaTriggers: { postConfirmation: trigger('Confirmed'), preSignUp: trigger('PreSignUp') },
  });
  pool.addTrigger(
    cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
    trigger('Tokens'),
    cognito.LambdaVersion.V2_0,
  );
  pool.addClient('Web', { authFlows: { userPassword: true }, preventUserExistenceErrors: true });
  pool.addClient('Plain');
  const { Resources } = app.synth().getStackByName('Pools').template as { Resources: Resources };
  return withFunctionArns(Resources) as Resources;
}

/** The template with each `Fn::GetAtt [<function>, Arn]` resolved as the local cloud resolves it. */
function withFunctionArns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withFunctionArns);
  if (typeof value !== 'object' || value === null) return value;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') {
    return `arn:aws:lambda:us-east-1:000000000000:function:${String(getAtt[0])}`;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withFunctionArns(item)]));
}

function only(resources: Resources, type: string, logicalIdStart = ''): Record<string, unknown> {
  const found = Object.entries(resources).find(([id, r]) => r.Type === type && id.startsWith(logicalIdStart));
  if (!found) throw new Error(`no ${type}`);
  return found[1].Properties;
}

describe('readUserPool', () => {
  it("reads a CDK pool: email sign-in, case, verification, policy, schema and triggers; names what it won't run", () => {
    // Prepare
    const properties = only(synthesizedPool(), 'AWS::Cognito::UserPool');

    // Act
    const { settings, unsupported } = readUserPool(properties, 'fallback');

    // Assess
    expect(settings).toEqual({
      name: 'users',
      usernameAttributes: ['email'],
      aliasAttributes: [],
      caseSensitive: false,
      autoVerifiedAttributes: ['email'],
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: false,
        temporaryPasswordValidityDays: 3,
      },
      adminCreateUserOnly: false,
      requiredAttributes: ['given_name'],
      customAttributes: ['custom:tier'],
      triggers: {
        postConfirmation: expect.stringMatching(/:function:Confirmed/) as unknown as string,
        preTokenGeneration: {
          functionArn: expect.stringMatching(/:function:Tokens/) as unknown as string,
          version: '2',
        },
      },
    });
    expect(unsupported).toEqual(['LambdaConfig.PreSignUp: the trigger is not invoked locally']);
  });

  it("takes CloudFormation's defaults for a pool that sets nothing", () => {
    // Act
    const { settings, unsupported } = readUserPool({}, 'us-east-1_abc');

    // Assess
    expect(settings).toMatchObject({
      name: 'us-east-1_abc',
      usernameAttributes: [],
      caseSensitive: true,
      autoVerifiedAttributes: [],
      passwordPolicy: DEFAULT_PASSWORD_POLICY,
      adminCreateUserOnly: false,
      triggers: {},
    });
    expect(unsupported).toEqual([]);
  });

  it('reads the legacy PreTokenGeneration trigger as version 1, and lists MFA as not emulated', () => {
    // Act
    const { settings, unsupported } = readUserPool(
      {
        LambdaConfig: { PreTokenGeneration: 'arn:aws:lambda:us-east-1:000000000000:function:tokens' },
        MfaConfiguration: 'OPTIONAL',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      },
      'pool',
    );

    // Assess
    expect(settings.triggers.preTokenGeneration).toEqual({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:tokens',
      version: '1',
    });
    expect(settings.adminCreateUserOnly).toBe(true);
    expect(unsupported).toEqual(['MfaConfiguration: multi-factor authentication is not emulated']);
  });
});

describe('readUserPoolClient', () => {
  it('reads the flows CDK names and its token validity in minutes', () => {
    // Prepare
    const properties = only(synthesizedPool(), 'AWS::Cognito::UserPoolClient', 'UsersWeb');

    // Act
    const { settings, unsupported } = readUserPoolClient(properties, 'Web');

    // Assess
    expect(settings).toEqual({
      name: 'Web',
      authFlows: new Set(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      idTokenValiditySeconds: 3_600,
      accessTokenValiditySeconds: 3_600,
      refreshTokenValiditySeconds: 30 * 86_400,
      preventUserExistenceErrors: true,
    });
    expect(unsupported).toEqual([]);
  });

  it("allows SRP, custom auth and refresh when no flow is named, as Cognito's default", () => {
    // Act
    const { settings } = readUserPoolClient({}, 'Default');

    // Assess
    expect([...settings.authFlows].sort()).toEqual([
      'ALLOW_CUSTOM_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_SRP_AUTH',
    ]);
    expect(settings.preventUserExistenceErrors).toBe(false);
  });

  it('maps the legacy flow names, which imply refresh', () => {
    // Act
    const { settings } = readUserPoolClient({ ExplicitAuthFlows: ['USER_PASSWORD_AUTH'] }, 'Legacy');

    // Assess
    expect([...settings.authFlows].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
  });

  it('reads validity in its unit (hours and days by default) and honours, but names, what AWS would refuse', () => {
    // Act
    const { settings, unsupported } = readUserPoolClient(
      {
        IdTokenValidity: 2,
        AccessTokenValidity: 30,
        RefreshTokenValidity: 7,
        TokenValidityUnits: { IdToken: 'seconds', AccessToken: 'minutes' },
        GenerateSecret: true,
      },
      'Short',
    );

    // Assess
    expect(settings.idTokenValiditySeconds).toBe(2);
    expect(settings.accessTokenValiditySeconds).toBe(1_800);
    expect(settings.refreshTokenValiditySeconds).toBe(7 * 86_400);
    expect(unsupported).toEqual([
      'GenerateSecret: the client secret and SECRET_HASH are not checked',
      'IdTokenValidity 2 seconds is outside what AWS accepts (300 to 86400 seconds): honoured locally',
    ]);
  });
});

describe('readUserPoolGroup', () => {
  it('reads name, description, precedence and role', () => {
    expect(
      readUserPoolGroup(
        { GroupName: 'staff', Description: 'Staff', Precedence: '1', RoleArn: 'arn:aws:iam::0:role/x' },
        'x',
      ),
    ).toEqual({ name: 'staff', description: 'Staff', precedence: 1, roleArn: 'arn:aws:iam::0:role/x' });
    expect(readUserPoolGroup({}, 'Generated-Name')).toEqual({ name: 'Generated-Name' });
  });
});
