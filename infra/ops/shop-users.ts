/**
 * Signs users up and in on the shop's user pool through the Cognito API, as a front end would, for the
 * suites that call the API with a token, for `npm run user` and for the synthetic customer of the deployments'
 * after-traffic check (synthetic-check.ts). Anything answering Cognito's API works:
 * the local cloud's edge, or AWS.
 */
import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
  type CognitoIdentityProviderClientConfig,
} from '@aws-sdk/client-cognito-identity-provider';
import { STAFF_GROUP, USER_ID_CLAIM } from '../../shared/http/caller';

/** The users stack's outputs a client needs. */
export interface ShopUserPool {
  readonly userPoolId: string;
  readonly clientId: string;
}

export interface SignedInUser {
  /** `usr_` + ULID, from the ID token's `custom:userId` claim. */
  readonly userId: string;
  /** For `Authorization: <idToken>` on the API; valid for an hour. */
  readonly idToken: string;
  readonly email: string;
}

export interface SignInOptions {
  readonly email: string;
  /** Also a member of the `staff` group. @default false */
  readonly staff?: boolean;
  /** @default - a new random one that meets the pool's policy */
  readonly password?: string;
  /** The user signed up before: only sign in (and join staff when asked). @default false */
  readonly existing?: boolean;
}

/** The pool and app client of the `ShopUsers` stack, from a deployment's (or the local cloud's) outputs. */
export function shopUserPool(
  outputs: Readonly<Record<string, Readonly<Record<string, string>>>>,
): ShopUserPool {
  const users = outputs['ShopUsers'];
  const userPoolId = users?.['UserPoolId'];
  const clientId = users?.['UserPoolClientId'];
  if (userPoolId === undefined || clientId === undefined) {
    throw new Error('The app has no ShopUsers stack with the outputs UserPoolId and UserPoolClientId.');
  }
  return { userPoolId, clientId };
}

/** A password the pool accepts (12 characters or more, upper and lower case, digits). */
export function newPassword(): string {
  return `Pw1-${randomBytes(12).toString('base64url')}`;
}

/**
 * Signs `email` up (unless `existing`), confirms the sign-up as an administrator (the PostConfirmation
 * trigger registers the user), adds them to `staff` when asked, and signs in with USER_PASSWORD_AUTH.
 */
export async function signUpAndSignIn(
  clientConfig: CognitoIdentityProviderClientConfig,
  pool: ShopUserPool,
  options: SignInOptions,
): Promise<SignedInUser & { readonly password: string }> {
  const cognito = new CognitoIdentityProviderClient(clientConfig);
  const password = options.password ?? newPassword();
  try {
    if (options.existing !== true) {
      await cognito.send(
        new SignUpCommand({ ClientId: pool.clientId, Username: options.email, Password: password }),
      );
      await cognito.send(
        new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: options.email }),
      );
    }
    if (options.staff === true) {
      await cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: pool.userPoolId,
          Username: options.email,
          GroupName: STAFF_GROUP,
        }),
      );
    }
    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { USERNAME: options.email, PASSWORD: password },
      }),
    );
    const idToken = AuthenticationResult?.IdToken;
    if (idToken === undefined) throw new Error(`Signing ${options.email} in answered no ID token.`);
    const userId = tokenClaims(idToken)[USER_ID_CLAIM];
    if (typeof userId !== 'string') {
      throw new Error(
        `The ID token of ${options.email} carries no ${USER_ID_CLAIM}: the user is not registered.`,
      );
    }
    return { userId, idToken, email: options.email, password };
  } finally {
    cognito.destroy();
  }
}

/** The claims of a JWT, read without verifying it (the API's authorizer verifies it). */
export function tokenClaims(token: string): Readonly<Record<string, unknown>> {
  const payload = token.split('.')[1];
  if (payload === undefined) throw new Error('Not a JWT: it has no payload.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
