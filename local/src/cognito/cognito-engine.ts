/**
 * The local Amazon Cognito user pools: the template's pools, app clients and groups, held in memory and
 * spoken to over the AWS JSON 1.1 protocol (`X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`),
 * as `@aws-sdk/client-cognito-identity-provider` and the AWS CLI send it. Tokens are RS256 JWTs signed with
 * the local cloud's key (`token-signer.ts`) under the issuer `<edge URL>/<userPoolId>`; the PostConfirmation
 * and PreTokenGeneration triggers run synchronously on the local Lambda engine, as Cognito runs them.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { decodeJwt, type JSONWebKeySet } from 'jose';
import { AwsServiceError, type JsonProtocolService } from '../aws-protocol';
import { functionReferenceOf } from '../cloud/arns';
import type { LambdaInvoker } from '../lambda/invoker';
import {
  clientNotFound,
  codeMismatch,
  expiredCode,
  groupNotFound,
  incorrectCredentials,
  invalidParameter,
  missingMember,
  notAuthorized,
  triggerFailed,
  triggerNotInvoked,
  userNotConfirmed,
  userNotFound,
  usernameClientNotFound,
  usernameExists,
  userPoolNotFound,
} from './cognito-errors';
import { hashPassword, passwordMatches } from './password-hash';
import { checkNewPassword, PASSWORD_SYMBOLS } from './password-policy';
import {
  accessTokenClaims,
  idTokenClaims,
  NO_OVERRIDE,
  orderedGroups,
  overrideAccessTokenClaims,
  overrideIdTokenClaims,
  USER_POOL_API_SCOPE,
  type ClaimsOverride,
  type TokenGroup,
  type TokenSubject,
} from './token-claims';
import { TokenSigner } from './token-signer';
import {
  CLIENT_ID_NOT_APPLICABLE,
  postConfirmationEvent,
  preTokenGenerationEvent,
  readClaimsOverride,
  triggerUserAttributes,
  type PreTokenGenerationSource,
  type TriggerCaller,
} from './trigger-events';
import {
  STANDARD_ATTRIBUTES,
  type UserPoolClientSettings,
  type UserPoolGroupSettings,
  type UserPoolSettings,
} from './user-pool-settings';

export interface CognitoEngineOptions {
  /** The edge endpoint: tokens are issued by `<issuerBaseUrl>/<userPoolId>`, where the pool's JWKS is served. */
  readonly issuerBaseUrl: string;
  /** Runs the pools' triggers; without it a pool with triggers fails the operations that need them. */
  readonly invoker?: LambdaInvoker;
  /** Where confirmation codes go, as Cognito would email or text them. Never passwords. */
  readonly log?: (line: string) => void;
  /** Milliseconds since the epoch; injected so tests can move time. */
  readonly now?: () => number;
}

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';

/** The public side of a pool's keys, for those who verify its tokens (API Gateway's authorizer). */
export interface UserPoolKeys {
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
}

/** A pool as `/_local/user-pools` shows it; no password or hash is ever part of it. */
export interface UserPoolDescription {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly issuer: string;
  readonly clients: readonly {
    readonly id: string;
    readonly name: string;
    readonly authFlows: readonly string[];
  }[];
  readonly groups: readonly UserPoolGroupSettings[];
  readonly users: readonly {
    readonly username: string;
    readonly status: UserStatus;
    readonly enabled: boolean;
    readonly attributes: Readonly<Record<string, string>>;
    readonly groups: readonly string[];
    /** The last confirmation code sent, while it can be used. */
    readonly confirmationCode?: string;
  }[];
}

type Input = Readonly<Record<string, unknown>>;

interface PoolState {
  readonly id: string;
  readonly arn: string;
  readonly settings: UserPoolSettings;
  readonly clients: Map<string, ClientState>;
  readonly groups: Map<string, UserPoolGroupSettings>;
  /** By username, lower-cased in a pool that is not case sensitive. */
  readonly users: Map<string, UserRecord>;
}

interface ClientState {
  readonly id: string;
  readonly pool: PoolState;
  readonly settings: UserPoolClientSettings;
}

interface UserRecord {
  readonly username: string;
  readonly sub: string;
  /** Without `sub`; `*_verified` as `"true"` / `"false"`. */
  attributes: Record<string, string>;
  passwordHash?: string;
  status: UserStatus;
  enabled: boolean;
  readonly createdAt: number;
  modifiedAt: number;
  readonly groups: Set<string>;
  pendingCode?: { readonly code: string; readonly expiresAt: number; readonly attribute?: DeliveryAttribute };
  temporaryPasswordExpiresAt?: number;
}

type DeliveryAttribute = 'email' | 'phone_number';

/** A sign-in a refresh token continues: the refreshed tokens keep its `auth_time`, `origin_jti`, `event_id`. */
interface SignInSession {
  readonly poolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly authTime: number;
  readonly originJti: string;
  readonly eventId: string;
  readonly expiresAt: number;
}

/** A NEW_PASSWORD_REQUIRED challenge waiting for its answer. */
interface ChallengeSession {
  readonly poolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly expiresAt: number;
}

interface AuthenticationResult {
  readonly AccessToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: 'Bearer';
  readonly IdToken: string;
  readonly RefreshToken?: string;
}

/** Confirmation codes expire after a day, as Cognito's do. */
const CODE_VALIDITY_MS = 24 * 3_600_000;
/** Cognito's challenge sessions last three minutes. */
const CHALLENGE_VALIDITY_MS = 3 * 60_000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE_NUMBER = /^\+[0-9]{4,20}$/;

export class CognitoEngine implements JsonProtocolService {
  readonly targetPrefix = 'AWSCognitoIdentityProviderService';
  readonly jsonVersion = '1.1';
  readonly maxRequestBodyBytes = 1024 * 1024;

  private readonly pools = new Map<string, PoolState>();
  private readonly clients = new Map<string, ClientState>();
  private readonly refreshSessions = new Map<string, SignInSession>();
  private readonly challengeSessions = new Map<string, ChallengeSession>();
  private readonly now: () => number;
  private readonly issuerBaseUrl: string;

  private constructor(
    private readonly signer: TokenSigner,
    private readonly options: CognitoEngineOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.issuerBaseUrl = options.issuerBaseUrl.replace(/\/+$/, '');
  }

  /** Makes the local cloud's signing key (an RSA key pair) and the engine around it. */
  static async create(options: CognitoEngineOptions): Promise<CognitoEngine> {
    return new CognitoEngine(await TokenSigner.create(), options);
  }

  // ---------------------------------------------------------------------------------------------
  // The template's resources

  createUserPool(pool: {
    readonly id: string;
    readonly arn: string;
    readonly settings: UserPoolSettings;
  }): void {
    this.pools.set(pool.id, { ...pool, clients: new Map(), groups: new Map(), users: new Map() });
  }

  createUserPoolClient(
    userPoolId: string,
    client: { readonly id: string; readonly settings: UserPoolClientSettings },
  ): void {
    const pool = this.pool(userPoolId);
    const state: ClientState = { ...client, pool };
    pool.clients.set(client.id, state);
    this.clients.set(client.id, state);
  }

  createGroup(userPoolId: string, group: UserPoolGroupSettings): void {
    this.pool(userPoolId).groups.set(group.name, group);
  }

  /** `<edge URL>/<userPoolId>`: the `iss` of the pool's tokens (on AWS `https://cognito-idp.<region>.amazonaws.com/<id>`). */
  issuerOf(userPoolId: string): string {
    return `${this.issuerBaseUrl}/${userPoolId}`;
  }

  userPoolKeys(userPoolId: string): UserPoolKeys | undefined {
    return this.pools.has(userPoolId)
      ? { issuer: this.issuerOf(userPoolId), jwks: this.signer.jwks() }
      : undefined;
  }

  /** The pools' clients, groups and users, for `/_local/user-pools`. */
  describe(): UserPoolDescription[] {
    const now = this.now();
    return [...this.pools.values()].map((pool) => ({
      id: pool.id,
      arn: pool.arn,
      name: pool.settings.name,
      issuer: this.issuerOf(pool.id),
      clients: [...pool.clients.values()].map((client) => ({
        id: client.id,
        name: client.settings.name,
        authFlows: [...client.settings.authFlows],
      })),
      groups: [...pool.groups.values()],
      users: [...pool.users.values()].map((user) => ({
        username: user.username,
        status: user.status,
        enabled: user.enabled,
        attributes: { sub: user.sub, ...user.attributes },
        groups: [...user.groups],
        ...(user.pendingCode !== undefined && user.pendingCode.expiresAt > now
          ? { confirmationCode: user.pendingCode.code }
          : {}),
      })),
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // The AWS JSON 1.1 protocol

  async handle(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'SignUp':
        return this.signUp(input);
      case 'ConfirmSignUp':
        return this.confirmSignUp(input);
      case 'ResendConfirmationCode':
        return this.resendConfirmationCode(input);
      case 'AdminConfirmSignUp':
        return this.adminConfirmSignUp(input);
      case 'AdminCreateUser':
        return this.adminCreateUser(input);
      case 'AdminSetUserPassword':
        return this.adminSetUserPassword(input);
      case 'AdminAddUserToGroup':
        return this.adminChangeGroup(input, 'add');
      case 'AdminRemoveUserFromGroup':
        return this.adminChangeGroup(input, 'remove');
      case 'AdminListGroupsForUser':
        return this.adminListGroupsForUser(input);
      case 'AdminGetUser':
        return this.adminGetUser(input);
      case 'InitiateAuth':
        return this.initiateAuth(input);
      case 'RespondToAuthChallenge':
        return this.respondToAuthChallenge(input);
      case 'GetUser':
        return this.getUser(input);
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `The local Cognito does not emulate ${operation}.`,
        );
    }
  }

  private async signUp(input: Input): Promise<unknown> {
    const client = this.client(requiredString(input, 'ClientId'));
    const pool = client.pool;
    const requested = requiredString(input, 'Username');
    const password = requiredString(input, 'Password');
    if (pool.settings.adminCreateUserOnly) throw notAuthorized('SignUp is not permitted for this user pool.');
    const attributes = this.readAttributes(pool, input.UserAttributes, 'UserAttributes');
    const username = this.assignUsername(pool, requested, attributes);
    this.checkRequiredAttributes(pool, attributes);
    const refusal = checkNewPassword(password, pool.settings.passwordPolicy, 'password');
    if (refusal) throw refusal;
    this.assertUsernameFree(pool, username, attributes, 'self');
    const passwordHash = await hashPassword(password);
    // Hashing took a while: another sign-up may have taken the name meanwhile.
    this.assertUsernameFree(pool, username, attributes, 'self');
    const user = this.addUser(pool, username, attributes, 'UNCONFIRMED', passwordHash);
    const delivery = this.sendConfirmationCode(pool, user);
    return {
      UserConfirmed: false,
      UserSub: user.sub,
      ...(delivery ? { CodeDeliveryDetails: delivery } : {}),
    };
  }

  private async confirmSignUp(input: Input): Promise<unknown> {
    const client = this.client(requiredString(input, 'ClientId'));
    const code = requiredString(input, 'ConfirmationCode');
    const user = this.findUser(client.pool, requiredString(input, 'Username'));
    if (!user) throw usernameClientNotFound();
    if (user.status !== 'UNCONFIRMED') {
      throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
    }
    const pending = user.pendingCode;
    if (pending === undefined || pending.code !== code) throw codeMismatch();
    if (pending.expiresAt <= this.now()) throw expiredCode();
    user.status = 'CONFIRMED';
    if (pending.attribute !== undefined) user.attributes[`${pending.attribute}_verified`] = 'true';
    user.pendingCode = undefined;
    user.modifiedAt = this.now();
    // The user stays confirmed when the trigger fails, as on AWS: only the answer reports the failure.
    await this.postConfirmation(client.pool, user, client.id, optionalStringMap(input, 'ClientMetadata'));
    return {};
  }

  private resendConfirmationCode(input: Input): unknown {
    const client = this.client(requiredString(input, 'ClientId'));
    const user = this.findUser(client.pool, requiredString(input, 'Username'));
    if (!user) throw usernameClientNotFound();
    if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
    const delivery = this.sendConfirmationCode(client.pool, user);
    if (!delivery) throw invalidParameter('Auto verification not turned on.');
    return { CodeDeliveryDetails: delivery };
  }

  private async adminConfirmSignUp(input: Input): Promise<unknown> {
    const pool = this.pool(requiredString(input, 'UserPoolId'));
    const user = this.findUser(pool, requiredString(input, 'Username'));
    if (!user) throw userNotFound();
    if (user.status !== 'UNCONFIRMED') {
      throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
    }
    // An administrator's confirmation verifies no attribute.
    user.status = 'CONFIRMED';
    user.pendingCode = undefined;
    user.modifiedAt = this.now();
    await this.postConfirmation(
      pool,
      user,
      CLIENT_ID_NOT_APPLICABLE,
      optionalStringMap(input, 'ClientMetadata'),
    );
    return {};
  }

  private async adminCreateUser(input: Input): Promise<unknown> {
    const pool = this.pool(requiredString(input, 'UserPoolId'));
    const requested = requiredString(input, 'Username');
    const attributes = this.readAttributes(pool, input.UserAttributes, 'UserAttributes');
    const temporary = optionalString(input, 'TemporaryPassword');
    const resend = optionalString(input, 'MessageAction') === 'RESEND';
    if (resend) {
      const user = this.findUser(pool, requested);
      if (!user) throw userNotFound();
      if (user.status !== 'FORCE_CHANGE_PASSWORD') throw unsupportedUserState(user.status);
      await this.setTemporaryPassword(pool, user, temporary);
      return { User: this.userType(user) };
    }
    const username = this.assignUsername(pool, requested, attributes);
    this.checkRequiredAttributes(pool, attributes);
    if (temporary !== undefined) {
      const refusal = checkNewPassword(temporary, pool.settings.passwordPolicy, 'temporaryPassword');
      if (refusal) throw refusal;
    }
    this.assertUsernameFree(pool, username, attributes, 'admin');
    const passwordHash = await hashPassword(temporary ?? generatedPassword(pool));
    this.assertUsernameFree(pool, username, attributes, 'admin');
    const user = this.addUser(pool, username, attributes, 'FORCE_CHANGE_PASSWORD', passwordHash);
    user.temporaryPasswordExpiresAt =
      this.now() + pool.settings.passwordPolicy.temporaryPasswordValidityDays * 86_400_000;
    return { User: this.userType(user) };
  }

  private async adminSetUserPassword(input: Input): Promise<unknown> {
    const pool = this.pool(requiredString(input, 'UserPoolId'));
    const password = requiredString(input, 'Password');
    const user = this.findUser(pool, requiredString(input, 'Username'));
    if (!user) throw userNotFound();
    const refusal = checkNewPassword(password, pool.settings.passwordPolicy, 'password');
    if (refusal) throw refusal;
    if (input.Permanent === true) {
      user.passwordHash = await hashPassword(password);
      // A permanent password confirms a user waiting to change theirs; an unconfirmed sign-up stays so.
      if (user.status !== 'UNCONFIRMED') user.status = 'CONFIRMED';
      user.temporaryPasswordExpiresAt = undefined;
      user.modifiedAt = this.now();
    } else {
      await this.setTemporaryPassword(pool, user, password);
    }
    return {};
  }

  private async setTemporaryPassword(
    pool: PoolState,
    user: UserRecord,
    password: string | undefined,
  ): Promise<void> {
    user.passwordHash = await hashPassword(password ?? generatedPassword(pool));
    if (user.status !== 'UNCONFIRMED') user.status = 'FORCE_CHANGE_PASSWORD';
    user.temporaryPasswordExpiresAt =
      this.now() + pool.settings.passwordPolicy.temporaryPasswordValidityDays * 86_400_000;
    user.modifiedAt = this.now();
  }

  private adminChangeGroup(input: Input, change: 'add' | 'remove'): unknown {
    const pool = this.pool(requiredString(input, 'UserPoolId'));
    const groupName = requiredString(input, 'GroupName');
    const user = this.findUser(pool, requiredString(input, 'Username'));
    if (!user) throw userNotFound();
    if (!pool.groups.has(groupName)) throw groupNotFound();
    if (change === 'add') user.groups.add(groupName);
    else user.groups.delete(groupName);
    return {};
  }

  private adminListGroupsForUser(input: Input): unknown {
    const pool = this.pool(requiredString(input, 'UserPoolId'));
    const user = this.findUser(pool, requiredString(input, 'Username'));
    if (!user) throw userNotFound();
    return {
      Groups: orderedGroups(this.groupsOf(pool, user)).map((group) => ({
        GroupName: group.name,
        UserPoolId: pool.id,
        ...(pool.groups.get(group.name)?.description === undefined
          ? {}
          : { Description: pool.groups.get(group.name)?.description }),
        ...(group.precedence === undefined ? {} : { Precedence: group.precedence }),
        ...(group.roleArn === undefined ? {} : { RoleArn: group.roleArn }),
      })),
    };
  }

  private adminGetUser(input: Input): unknown {
    const pool = this.pool(requiredString(input, 'UserPoolId'));
    const user = this.findUser(pool, requiredString(input, 'Username'));
    if (!user) throw userNotFound();
    const { Attributes, ...rest } = this.userType(user);
    return { ...rest, UserAttributes: Attributes };
  }

  private async initiateAuth(input: Input): Promise<unknown> {
    const flow = requiredString(input, 'AuthFlow');
    const client = this.client(requiredString(input, 'ClientId'));
    const parameters = optionalStringMap(input, 'AuthParameters') ?? {};
    const metadata = optionalStringMap(input, 'ClientMetadata');
    switch (flow) {
      case 'USER_PASSWORD_AUTH': {
        requireFlow(client, 'ALLOW_USER_PASSWORD_AUTH', flow);
        const username = parameters.USERNAME;
        if (username === undefined) throw invalidParameter('Missing required parameter USERNAME');
        const password = parameters.PASSWORD;
        if (password === undefined) throw invalidParameter('Missing required parameter PASSWORD');
        return this.signIn(client, username, password, metadata);
      }
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN': {
        requireFlow(client, 'ALLOW_REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN_AUTH');
        const token = parameters.REFRESH_TOKEN;
        if (token === undefined) throw invalidParameter('Missing required parameter REFRESH_TOKEN');
        return this.refresh(client, token, metadata);
      }
      case 'ADMIN_NO_SRP_AUTH':
      case 'ADMIN_USER_PASSWORD_AUTH':
        throw invalidParameter('Initiate Auth method not supported.');
      case 'USER_SRP_AUTH':
      case 'CUSTOM_AUTH':
      case 'USER_AUTH':
        throw invalidParameter(
          `${flow} is not emulated by the local Cognito: sign in with USER_PASSWORD_AUTH (ALLOW_USER_PASSWORD_AUTH on the client).`,
        );
      default:
        throw invalidParameter(
          `1 validation error detected: Value '${flow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]`,
        );
    }
  }

  private async signIn(
    client: ClientState,
    username: string,
    password: string,
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<unknown> {
    const user = this.findUser(client.pool, username);
    if (!user) throw client.settings.preventUserExistenceErrors ? incorrectCredentials() : userNotFound();
    if (user.passwordHash === undefined || !(await passwordMatches(password, user.passwordHash))) {
      throw incorrectCredentials();
    }
    if (!user.enabled) throw notAuthorized('User is disabled.');
    switch (user.status) {
      case 'UNCONFIRMED':
        throw userNotConfirmed();
      case 'RESET_REQUIRED':
        throw new AwsServiceError('PasswordResetRequiredException', 'Password reset required for the user');
      case 'FORCE_CHANGE_PASSWORD':
        return this.newPasswordChallenge(client, user);
      case 'CONFIRMED':
        return {
          ChallengeParameters: {},
          AuthenticationResult: await this.issueTokens(
            client,
            user,
            'TokenGeneration_Authentication',
            metadata,
          ),
        };
    }
  }

  private newPasswordChallenge(client: ClientState, user: UserRecord): unknown {
    if ((user.temporaryPasswordExpiresAt ?? Infinity) <= this.now()) {
      throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    }
    const session = randomBytes(96).toString('base64url');
    this.challengeSessions.set(session, {
      poolId: client.pool.id,
      clientId: client.id,
      username: user.username,
      expiresAt: this.now() + CHALLENGE_VALIDITY_MS,
    });
    const {
      email_verified: _emailVerified,
      phone_number_verified: _phoneVerified,
      ...visible
    } = user.attributes;
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: '[]',
        userAttributes: JSON.stringify(visible),
      },
    };
  }

  private async respondToAuthChallenge(input: Input): Promise<unknown> {
    const client = this.client(requiredString(input, 'ClientId'));
    const challenge = requiredString(input, 'ChallengeName');
    if (challenge !== 'NEW_PASSWORD_REQUIRED') {
      throw invalidParameter(
        `The local Cognito answers NEW_PASSWORD_REQUIRED challenges only, not ${challenge}.`,
      );
    }
    const token = requiredString(input, 'Session');
    const session = this.challengeSessions.get(token);
    if (session === undefined || session.clientId !== client.id || session.expiresAt <= this.now()) {
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    const responses = optionalStringMap(input, 'ChallengeResponses') ?? {};
    const password = responses.NEW_PASSWORD;
    if (password === undefined) throw invalidParameter('Missing required parameter NEW_PASSWORD');
    const user = client.pool.users.get(this.usernameKey(client.pool, session.username));
    if (!user) throw userNotFound();
    const refusal = checkNewPassword(password, client.pool.settings.passwordPolicy, 'password');
    if (refusal) throw refusal;
    const changed = Object.entries(responses).flatMap(([name, value]) =>
      name.startsWith('userAttributes.')
        ? [{ Name: name.slice('userAttributes.'.length), Value: value }]
        : [],
    );
    const attributes = this.readAttributes(client.pool, changed, 'ChallengeResponses');
    this.challengeSessions.delete(token);
    user.passwordHash = await hashPassword(password);
    user.attributes = { ...user.attributes, ...attributes };
    user.status = 'CONFIRMED';
    user.temporaryPasswordExpiresAt = undefined;
    user.modifiedAt = this.now();
    return {
      ChallengeParameters: {},
      AuthenticationResult: await this.issueTokens(
        client,
        user,
        'TokenGeneration_NewPasswordChallenge',
        optionalStringMap(input, 'ClientMetadata'),
      ),
    };
  }

  private async refresh(
    client: ClientState,
    token: string,
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<unknown> {
    const session = this.refreshSessions.get(token);
    if (session === undefined || session.clientId !== client.id) throw notAuthorized('Invalid Refresh Token');
    if (session.expiresAt <= this.now()) {
      this.refreshSessions.delete(token);
      throw notAuthorized('Refresh Token has expired');
    }
    const user = client.pool.users.get(this.usernameKey(client.pool, session.username));
    if (!user) throw notAuthorized('User does not exist.');
    if (!user.enabled) throw notAuthorized('User is disabled.');
    return {
      ChallengeParameters: {},
      AuthenticationResult: await this.issueTokens(
        client,
        user,
        'TokenGeneration_RefreshTokens',
        metadata,
        session,
      ),
    };
  }

  private async getUser(input: Input): Promise<unknown> {
    const token = requiredString(input, 'AccessToken');
    const issuer = issuerClaimOf(token);
    const poolId = issuer?.slice(issuer.lastIndexOf('/') + 1);
    const pool = poolId === undefined ? undefined : this.pools.get(poolId);
    if (!pool || issuer !== this.issuerOf(pool.id)) throw notAuthorized('Invalid Access Token');
    const check = await this.signer.check(token, issuer, this.now());
    if (!check.valid) {
      throw notAuthorized(check.reason === 'expired' ? 'Access Token has expired' : 'Invalid Access Token');
    }
    const username = check.payload.username;
    if (check.payload.token_use !== 'access' || typeof username !== 'string') {
      throw notAuthorized('Invalid Access Token');
    }
    const user = pool.users.get(this.usernameKey(pool, username));
    if (!user) throw userNotFound();
    return { Username: user.username, UserAttributes: this.attributeList(user) };
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens and triggers

  private async issueTokens(
    client: ClientState,
    user: UserRecord,
    source: PreTokenGenerationSource,
    metadata: Readonly<Record<string, string>> | undefined,
    continued?: SignInSession,
  ): Promise<AuthenticationResult> {
    const pool = client.pool;
    const now = this.now();
    const issuedAt = Math.floor(now / 1000);
    const session: SignInSession = continued ?? {
      poolId: pool.id,
      clientId: client.id,
      username: user.username,
      authTime: issuedAt,
      originJti: randomUUID(),
      eventId: randomUUID(),
      expiresAt: now + client.settings.refreshTokenValiditySeconds * 1000,
    };
    const groups = this.groupsOf(pool, user);
    const subject: TokenSubject = {
      sub: user.sub,
      username: user.username,
      attributes: user.attributes,
      groups,
    };
    const issue = {
      issuer: this.issuerOf(pool.id),
      clientId: client.id,
      issuedAt,
      authTime: session.authTime,
      originJti: session.originJti,
      eventId: session.eventId,
      idTokenJti: randomUUID(),
      accessTokenJti: randomUUID(),
      idTokenValiditySeconds: client.settings.idTokenValiditySeconds,
      accessTokenValiditySeconds: client.settings.accessTokenValiditySeconds,
    };
    const override = await this.preTokenGeneration(pool, user, client.id, source, groups, metadata);
    const [IdToken, AccessToken] = await Promise.all([
      this.signer.sign(overrideIdTokenClaims(idTokenClaims(subject, issue), override)),
      this.signer.sign(overrideAccessTokenClaims(accessTokenClaims(subject, issue), override)),
    ]);
    let RefreshToken: string | undefined;
    if (continued === undefined) {
      RefreshToken = randomBytes(96).toString('base64url');
      this.refreshSessions.set(RefreshToken, session);
    }
    return {
      AccessToken,
      ExpiresIn: client.settings.accessTokenValiditySeconds,
      TokenType: 'Bearer',
      IdToken,
      ...(RefreshToken === undefined ? {} : { RefreshToken }),
    };
  }

  private async postConfirmation(
    pool: PoolState,
    user: UserRecord,
    clientId: string,
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<void> {
    const functionArn = pool.settings.triggers.postConfirmation;
    if (functionArn === undefined) return;
    await this.invokeTrigger(
      'PostConfirmation',
      functionArn,
      postConfirmationEvent(this.caller(pool, user, clientId, metadata)),
    );
  }

  private async preTokenGeneration(
    pool: PoolState,
    user: UserRecord,
    clientId: string,
    source: PreTokenGenerationSource,
    groups: readonly TokenGroup[],
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<ClaimsOverride> {
    const trigger = pool.settings.triggers.preTokenGeneration;
    if (trigger === undefined) return NO_OVERRIDE;
    const event = preTokenGenerationEvent(
      trigger.version,
      source,
      this.caller(pool, user, clientId, metadata),
      orderedGroups(groups),
      [USER_POOL_API_SCOPE],
    );
    return readClaimsOverride(
      trigger.version,
      await this.invokeTrigger('PreTokenGeneration', trigger.functionArn, event),
    );
  }

  /** Runs a trigger synchronously, as Cognito does; its failure fails the operation that ran it. */
  private async invokeTrigger(trigger: string, functionArn: string, event: unknown): Promise<unknown> {
    const invoker = this.options.invoker;
    if (!invoker) throw triggerNotInvoked(trigger, 'no Lambda service runs locally');
    let result;
    try {
      result = await invoker.invoke(functionReferenceOf(functionArn), event, {
        trigger: 'cognito',
        interactive: true,
      });
    } catch (error) {
      throw triggerNotInvoked(trigger, error instanceof Error ? error.name : String(error));
    }
    if (result.functionError) throw triggerFailed(trigger, result.functionError.errorMessage);
    return result.payload;
  }

  private caller(
    pool: PoolState,
    user: UserRecord,
    clientId: string,
    metadata: Readonly<Record<string, string>> | undefined,
  ): TriggerCaller {
    return {
      userPoolId: pool.id,
      userName: user.username,
      clientId,
      userAttributes: triggerUserAttributes({
        sub: user.sub,
        status: user.status,
        attributes: user.attributes,
        signsInByEmail: signsInWith(pool, 'email'),
      }),
      ...(metadata === undefined ? {} : { clientMetadata: metadata }),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Users

  private addUser(
    pool: PoolState,
    username: string,
    attributes: Record<string, string>,
    status: UserStatus,
    passwordHash: string,
  ): UserRecord {
    const now = this.now();
    const user: UserRecord = {
      username,
      // Pools that sign in with an email or phone number name their users by their sub.
      sub: pool.settings.usernameAttributes.length > 0 ? username : randomUUID(),
      attributes,
      passwordHash,
      status,
      enabled: true,
      createdAt: now,
      modifiedAt: now,
      groups: new Set(),
    };
    pool.users.set(this.usernameKey(pool, username), user);
    return user;
  }

  private usernameKey(pool: PoolState, username: string): string {
    return pool.settings.caseSensitive ? username : username.toLowerCase();
  }

  /** A user by username, or by the email or phone number (or verified alias) they sign in with. */
  private findUser(pool: PoolState, name: string): UserRecord | undefined {
    const direct = pool.users.get(this.usernameKey(pool, name));
    if (direct) return direct;
    const asUsername = (attribute: string): boolean =>
      (pool.settings.usernameAttributes as readonly string[]).includes(attribute);
    for (const user of pool.users.values()) {
      for (const attribute of ['email', 'phone_number', 'preferred_username']) {
        const value = user.attributes[attribute];
        if (value === undefined) continue;
        const same = attribute === 'email' ? value.toLowerCase() === name.toLowerCase() : value === name;
        if (!same) continue;
        if (asUsername(attribute)) return user;
        const verified =
          attribute === 'preferred_username' || user.attributes[`${attribute}_verified`] === 'true';
        if (pool.settings.aliasAttributes.includes(attribute) && verified) return user;
      }
    }
    return undefined;
  }

  /**
   * The username a new user gets: the one asked for, or — in a pool whose users sign in with an email or
   * phone number — a UUID, the address going into the attributes.
   */
  private assignUsername(pool: PoolState, requested: string, attributes: Record<string, string>): string {
    const allowed = pool.settings.usernameAttributes;
    if (allowed.length === 0) {
      if (signsInWith(pool, 'email') && EMAIL.test(requested)) {
        throw invalidParameter(
          'Username cannot be of email format, since user pool is configured for email alias.',
        );
      }
      if (signsInWith(pool, 'phone_number') && PHONE_NUMBER.test(requested)) {
        throw invalidParameter(
          'Username cannot be of phone number format, since user pool is configured for phone number alias.',
        );
      }
      return requested;
    }
    if (allowed.includes('email') && requested.includes('@')) {
      if (!EMAIL.test(requested)) throw invalidParameter('Invalid email address format.');
      attributes.email = requested;
    } else if (allowed.includes('phone_number') && PHONE_NUMBER.test(requested)) {
      attributes.phone_number = requested;
    } else {
      throw invalidParameter(
        allowed.length === 2
          ? 'Username should be either an email or a phone number.'
          : allowed[0] === 'email'
            ? 'Username should be an email.'
            : 'Username should be a phone number.',
      );
    }
    return randomUUID();
  }

  private assertUsernameFree(
    pool: PoolState,
    username: string,
    attributes: Readonly<Record<string, string>>,
    by: 'self' | 'admin',
  ): void {
    for (const attribute of pool.settings.usernameAttributes) {
      const value = attributes[attribute];
      if (value !== undefined && this.findUser(pool, value)) throw usernameExists(attribute);
    }
    if (pool.users.has(this.usernameKey(pool, username)))
      throw usernameExists(by === 'admin' ? 'admin' : 'username');
  }

  private checkRequiredAttributes(pool: PoolState, attributes: Readonly<Record<string, string>>): void {
    for (const name of pool.settings.requiredAttributes) {
      if (attributes[name] === undefined) {
        throw invalidParameter(
          `Attributes did not conform to the schema: ${name}: The attribute is required`,
        );
      }
    }
  }

  /** `[{ Name, Value }]` as a record, every name one the pool's schema knows. */
  private readAttributes(pool: PoolState, list: unknown, member: string): Record<string, string> {
    if (list === undefined || list === null) return {};
    if (!Array.isArray(list)) throw invalidParameter(`${member} must be a list of { Name, Value }.`);
    const attributes: Record<string, string> = {};
    for (const item of list as readonly unknown[]) {
      const { Name: name, Value: value } = (typeof item === 'object' && item !== null ? item : {}) as Input;
      if (typeof name !== 'string') throw invalidParameter(`${member} must be a list of { Name, Value }.`);
      if (name === 'sub')
        throw invalidParameter('Attributes did not conform to the schema: sub: Attribute cannot be updated.');
      if (!STANDARD_ATTRIBUTES.has(name) && !pool.settings.customAttributes.includes(name)) {
        throw invalidParameter(
          `Attributes did not conform to the schema: Type for attribute {${name}} could not be determined`,
        );
      }
      const text = typeof value === 'string' ? value : '';
      if (name === 'email' && !EMAIL.test(text)) throw invalidParameter('Invalid email address format.');
      if (name === 'phone_number' && !PHONE_NUMBER.test(text))
        throw invalidParameter('Invalid phone number format.');
      attributes[name] = text;
    }
    return attributes;
  }

  /** A code for the first auto-verified attribute the user has, logged as Cognito would email or text it. */
  private sendConfirmationCode(
    pool: PoolState,
    user: UserRecord,
  ): { Destination: string; DeliveryMedium: 'EMAIL' | 'SMS'; AttributeName: DeliveryAttribute } | undefined {
    const attribute = (['email', 'phone_number'] as const).find(
      (name) => pool.settings.autoVerifiedAttributes.includes(name) && user.attributes[name] !== undefined,
    );
    if (attribute === undefined) return undefined;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    user.pendingCode = { code, expiresAt: this.now() + CODE_VALIDITY_MS, attribute };
    const destination = user.attributes[attribute] ?? '';
    this.options.log?.(
      `[cognito] ${pool.settings.name} (${pool.id}): confirmation code ${code} for ${user.username} (${attribute} ${destination})`,
    );
    return {
      Destination: attribute === 'email' ? maskEmail(destination) : maskPhoneNumber(destination),
      DeliveryMedium: attribute === 'email' ? 'EMAIL' : 'SMS',
      AttributeName: attribute,
    };
  }

  private groupsOf(pool: PoolState, user: UserRecord): TokenGroup[] {
    return [...user.groups].flatMap((name) => {
      const group = pool.groups.get(name);
      return group === undefined ? [] : [group];
    });
  }

  private attributeList(user: UserRecord): { Name: string; Value: string }[] {
    return [
      { Name: 'sub', Value: user.sub },
      ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    ];
  }

  /** Cognito's `UserType`, dates in epoch seconds as the JSON protocol carries them. */
  private userType(
    user: UserRecord,
  ): Record<string, unknown> & { Attributes: { Name: string; Value: string }[] } {
    return {
      Username: user.username,
      Attributes: this.attributeList(user),
      UserCreateDate: user.createdAt / 1000,
      UserLastModifiedDate: user.modifiedAt / 1000,
      Enabled: user.enabled,
      UserStatus: user.status,
    };
  }

  private pool(userPoolId: string): PoolState {
    const pool = this.pools.get(userPoolId);
    if (!pool) throw userPoolNotFound(userPoolId);
    return pool;
  }

  private client(clientId: string): ClientState {
    const client = this.clients.get(clientId);
    if (!client) throw clientNotFound(clientId);
    return client;
  }
}

function signsInWith(pool: PoolState, attribute: DeliveryAttribute): boolean {
  return (
    (pool.settings.usernameAttributes as readonly string[]).includes(attribute) ||
    pool.settings.aliasAttributes.includes(attribute)
  );
}

function requireFlow(client: ClientState, allow: string, flow: string): void {
  if (!client.settings.authFlows.has(allow))
    throw invalidParameter(`${flow} flow not enabled for this client`);
}

function unsupportedUserState(status: UserStatus): AwsServiceError {
  return new AwsServiceError('UnsupportedUserStateException', `User is in status ${status}`);
}

/** The `iss` claim of a token, read without trusting it (the signature is checked next). */
function issuerClaimOf(token: string): string | undefined {
  try {
    const issuer = decodeJwt(token).iss;
    return typeof issuer === 'string' ? issuer : undefined;
  } catch {
    return undefined;
  }
}

/** `j***@e***`, as Cognito shows where a code went. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}

/** `+*******1234`. */
export function maskPhoneNumber(phoneNumber: string): string {
  return `+${'*'.repeat(Math.max(0, phoneNumber.length - 5))}${phoneNumber.slice(-4)}`;
}

/** A temporary password the pool's policy accepts; nobody learns it (set one with TemporaryPassword). */
function generatedPassword(pool: PoolState): string {
  const length = Math.max(pool.settings.passwordPolicy.minimumLength, 16);
  return `Aa1${PASSWORD_SYMBOLS[1] ?? '$'}${randomBytes(length).toString('base64url')}`;
}

function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) throw missingMember(name);
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
}

function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' ? value : undefined;
}

function optionalStringMap(input: Input, name: string): Readonly<Record<string, string>> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidParameter(`${name} must be a map of strings.`);
  return Object.fromEntries(
    Object.entries(value as Input).flatMap(([key, item]) => (typeof item === 'string' ? [[key, item]] : [])),
  );
}
