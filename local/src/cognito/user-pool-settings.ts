/**
 * The settings of a user pool, an app client and a group, read from their template properties
 * (`AWS::Cognito::UserPool`, `UserPoolClient`, `UserPoolGroup`) with CloudFormation's defaults. Whatever the
 * local pool does not honour is named in `unsupported`, so nothing in the template is silently dropped.
 */
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './password-policy';

type Props = Readonly<Record<string, unknown>>;

/** Attributes a user may sign in with instead of a username of their own choosing. */
export type SignInAttribute = 'email' | 'phone_number';

/** The event version Cognito sends the PreTokenGeneration trigger (`V1_0` or `V2_0`). */
export type PreTokenGenerationVersion = '1' | '2';

export interface UserPoolTriggers {
  /** Function ARNs, by trigger. */
  readonly postConfirmation?: string;
  readonly preTokenGeneration?: { readonly functionArn: string; readonly version: PreTokenGenerationVersion };
}

export interface UserPoolSettings {
  readonly name: string;
  /** `UsernameAttributes`: the user signs up with an email or phone number, and gets a UUID as username. */
  readonly usernameAttributes: readonly SignInAttribute[];
  /** `AliasAttributes`: a verified email or phone number (or `preferred_username`) also signs the user in. */
  readonly aliasAttributes: readonly string[];
  /** `UsernameConfiguration.CaseSensitive`; CloudFormation's default is case sensitive. */
  readonly caseSensitive: boolean;
  /** `AutoVerifiedAttributes`: where a sign-up's confirmation code is sent. */
  readonly autoVerifiedAttributes: readonly string[];
  readonly passwordPolicy: PasswordPolicy;
  /** `AdminCreateUserConfig.AllowAdminCreateUserOnly`: SignUp is refused. */
  readonly adminCreateUserOnly: boolean;
  /** Attributes the schema marks `Required`. */
  readonly requiredAttributes: readonly string[];
  /** Custom attributes the schema declares, with their `custom:` prefix. */
  readonly customAttributes: readonly string[];
  readonly triggers: UserPoolTriggers;
}

export interface UserPoolClientSettings {
  readonly name: string;
  /** `ExplicitAuthFlows`, legacy names mapped to their `ALLOW_…` form. */
  readonly authFlows: ReadonlySet<string>;
  readonly idTokenValiditySeconds: number;
  readonly accessTokenValiditySeconds: number;
  readonly refreshTokenValiditySeconds: number;
  /** `PreventUserExistenceErrors: ENABLED`: an unknown user is answered as a wrong password. */
  readonly preventUserExistenceErrors: boolean;
}

export interface UserPoolGroupSettings {
  readonly name: string;
  readonly description?: string;
  readonly precedence?: number;
  readonly roleArn?: string;
}

export interface Read<T> {
  readonly settings: T;
  /** What the template asks for that the local pool does not do. */
  readonly unsupported: readonly string[];
}

/** The standard attributes of every user pool (besides `sub`, which Cognito sets). */
export const STANDARD_ATTRIBUTES: ReadonlySet<string> = new Set([
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);

/** Triggers Cognito would invoke that the local pool does not. */
const UNINVOKED_TRIGGERS = [
  'PreSignUp',
  'PreAuthentication',
  'PostAuthentication',
  'CustomMessage',
  'DefineAuthChallenge',
  'CreateAuthChallenge',
  'VerifyAuthChallengeResponse',
  'UserMigration',
  'CustomEmailSender',
  'CustomSMSSender',
];

/** Pool properties that change behaviour on AWS and are not emulated. */
const UNEMULATED_POOL_PROPERTIES: Readonly<Record<string, string>> = {
  MfaConfiguration: 'multi-factor authentication',
  EnabledMfas: 'multi-factor authentication',
  UserPoolAddOns: 'threat protection (advanced security)',
  DeviceConfiguration: 'device tracking',
  EmailConfiguration: 'email delivery (codes are logged instead)',
  SmsConfiguration: 'SMS delivery (codes are logged instead)',
  UserAttributeUpdateSettings: 'verification of changed attributes',
  Policies: 'sign-in policies other than the password policy',
  WebAuthnRelyingPartyID: 'passkeys',
};

/** AWS's limits for ID and access tokens (5 minutes to a day) and refresh tokens (an hour to ten years). */
const TOKEN_LIMITS = {
  IdToken: [300, 86_400],
  AccessToken: [300, 86_400],
  RefreshToken: [3_600, 315_360_000],
} as const;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  seconds: 1,
  minutes: 60,
  hours: 3_600,
  days: 86_400,
};

/** `ExplicitAuthFlows` values from before the `ALLOW_` names, and what they allow. */
const LEGACY_AUTH_FLOWS: Readonly<Record<string, string>> = {
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  CUSTOM_AUTH_FLOW_ONLY: 'ALLOW_CUSTOM_AUTH',
};

/** What a client allows when the template names no flow. */
const DEFAULT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

export function readUserPool(props: Props, fallbackName: string): Read<UserPoolSettings> {
  const unsupported: string[] = [];
  const lambdaConfig = asRecord(props.LambdaConfig);
  const triggers = readTriggers(lambdaConfig, unsupported);
  const passwordPolicy = readPasswordPolicy(asRecord(asRecord(props.Policies).PasswordPolicy));
  for (const [property, what] of Object.entries(UNEMULATED_POOL_PROPERTIES)) {
    const value = props[property];
    if (value === undefined || value === 'OFF') continue;
    if (property === 'Policies' && Object.keys(asRecord(value)).every((key) => key === 'PasswordPolicy')) {
      continue;
    }
    unsupported.push(`${property}: ${what} is not emulated`);
  }
  const schema = asArray(props.Schema).map(asRecord);
  return {
    settings: {
      name: asString(props.UserPoolName) ?? fallbackName,
      usernameAttributes: asArray(props.UsernameAttributes).filter(
        (name): name is SignInAttribute => name === 'email' || name === 'phone_number',
      ),
      aliasAttributes: asArray(props.AliasAttributes).filter(
        (name): name is string => typeof name === 'string',
      ),
      caseSensitive: !isFalse(asRecord(props.UsernameConfiguration).CaseSensitive),
      autoVerifiedAttributes: asArray(props.AutoVerifiedAttributes).filter(
        (name): name is string => typeof name === 'string',
      ),
      passwordPolicy,
      adminCreateUserOnly: isTrue(asRecord(props.AdminCreateUserConfig).AllowAdminCreateUserOnly),
      requiredAttributes: schema
        .filter((attribute) => isTrue(attribute.Required))
        .flatMap((attribute) => (typeof attribute.Name === 'string' ? [attribute.Name] : [])),
      customAttributes: schema
        .flatMap((attribute) => (typeof attribute.Name === 'string' ? [attribute.Name] : []))
        .filter((name) => !STANDARD_ATTRIBUTES.has(name))
        .map((name) => (name.startsWith('custom:') ? name : `custom:${name}`)),
      triggers,
    },
    unsupported,
  };
}

function readTriggers(lambdaConfig: Props, unsupported: string[]): UserPoolTriggers {
  const postConfirmation = asString(lambdaConfig.PostConfirmation);
  const versioned = asRecord(lambdaConfig.PreTokenGenerationConfig);
  const versionedArn = asString(versioned.LambdaArn);
  const legacyArn = asString(lambdaConfig.PreTokenGeneration);
  const lambdaVersion = asString(versioned.LambdaVersion) ?? 'V1_0';
  if (versionedArn !== undefined && lambdaVersion === 'V3_0') {
    unsupported.push('PreTokenGenerationConfig: V3_0 (machine-to-machine) events are sent as V2_0');
  }
  const preTokenGeneration =
    versionedArn !== undefined
      ? { functionArn: versionedArn, version: lambdaVersion === 'V1_0' ? ('1' as const) : ('2' as const) }
      : legacyArn === undefined
        ? undefined
        : { functionArn: legacyArn, version: '1' as const };
  for (const trigger of UNINVOKED_TRIGGERS) {
    if (lambdaConfig[trigger] !== undefined) {
      unsupported.push(`LambdaConfig.${trigger}: the trigger is not invoked locally`);
    }
  }
  return {
    ...(postConfirmation === undefined ? {} : { postConfirmation }),
    ...(preTokenGeneration === undefined ? {} : { preTokenGeneration }),
  };
}

function readPasswordPolicy(policy: Props): PasswordPolicy {
  const flag = (name: string, fallback: boolean): boolean =>
    policy[name] === undefined ? fallback : isTrue(policy[name]);
  return {
    minimumLength: asNumber(policy.MinimumLength) ?? DEFAULT_PASSWORD_POLICY.minimumLength,
    requireLowercase: flag('RequireLowercase', DEFAULT_PASSWORD_POLICY.requireLowercase),
    requireUppercase: flag('RequireUppercase', DEFAULT_PASSWORD_POLICY.requireUppercase),
    requireNumbers: flag('RequireNumbers', DEFAULT_PASSWORD_POLICY.requireNumbers),
    requireSymbols: flag('RequireSymbols', DEFAULT_PASSWORD_POLICY.requireSymbols),
    temporaryPasswordValidityDays:
      asNumber(policy.TemporaryPasswordValidityDays) ?? DEFAULT_PASSWORD_POLICY.temporaryPasswordValidityDays,
  };
}

export function readUserPoolClient(props: Props, fallbackName: string): Read<UserPoolClientSettings> {
  const unsupported: string[] = [];
  const units = asRecord(props.TokenValidityUnits);
  const validity = (token: keyof typeof TOKEN_LIMITS, property: string, defaultSeconds: number): number => {
    const value = asNumber(props[property]);
    if (value === undefined) return defaultSeconds;
    const unit = asString(units[token]) ?? (token === 'RefreshToken' ? 'days' : 'hours');
    const seconds = value * (UNIT_SECONDS[unit] ?? 1);
    const [min, max] = TOKEN_LIMITS[token];
    if (seconds < min || seconds > max) {
      unsupported.push(
        `${property} ${value} ${unit} is outside what AWS accepts (${min} to ${max} seconds): honoured locally`,
      );
    }
    return seconds;
  };
  const named = asArray(props.ExplicitAuthFlows).filter((flow): flow is string => typeof flow === 'string');
  const authFlows = new Set(
    named.length === 0 ? DEFAULT_AUTH_FLOWS : named.map((f) => LEGACY_AUTH_FLOWS[f] ?? f),
  );
  // The legacy names imply refresh, as the API did before ALLOW_REFRESH_TOKEN_AUTH existed.
  if (named.some((flow) => flow in LEGACY_AUTH_FLOWS)) authFlows.add('ALLOW_REFRESH_TOKEN_AUTH');
  if (isTrue(props.GenerateSecret)) {
    unsupported.push('GenerateSecret: the client secret and SECRET_HASH are not checked');
  }
  if (props.AnalyticsConfiguration !== undefined) unsupported.push('AnalyticsConfiguration is not emulated');
  return {
    settings: {
      name: asString(props.ClientName) ?? fallbackName,
      authFlows,
      idTokenValiditySeconds: validity('IdToken', 'IdTokenValidity', 3_600),
      accessTokenValiditySeconds: validity('AccessToken', 'AccessTokenValidity', 3_600),
      refreshTokenValiditySeconds: validity('RefreshToken', 'RefreshTokenValidity', 30 * 86_400),
      preventUserExistenceErrors: asString(props.PreventUserExistenceErrors) === 'ENABLED',
    },
    unsupported,
  };
}

export function readUserPoolGroup(props: Props, fallbackName: string): UserPoolGroupSettings {
  const description = asString(props.Description);
  const precedence = asNumber(props.Precedence);
  const roleArn = asString(props.RoleArn);
  return {
    name: asString(props.GroupName) ?? fallbackName,
    ...(description === undefined ? {} : { description }),
    ...(precedence === undefined ? {} : { precedence }),
    ...(roleArn === undefined ? {} : { roleArn }),
  };
}

function asRecord(value: unknown): Props {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Props) : {};
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}
