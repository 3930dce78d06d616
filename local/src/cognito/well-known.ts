/**
 * What a user pool publishes for those who verify its tokens, at its issuer URL on the edge:
 * `<edge URL>/<userPoolId>/.well-known/jwks.json` and `…/.well-known/openid-configuration`, as Cognito
 * publishes them at `https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/…`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../cloud/http-server';
import type { UserPoolKeys } from './cognito-engine';
import { TOKEN_ALGORITHM } from './token-signer';

export interface UserPoolKeySource {
  userPoolKeys(userPoolId: string): UserPoolKeys | undefined;
}

const WELL_KNOWN = /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;

/** Answers a GET of a pool's JWKS or OpenID configuration; false leaves any other request to the caller. */
export function serveUserPoolWellKnown(
  pools: UserPoolKeySource,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if (req.method !== 'GET') return false;
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const match = WELL_KNOWN.exec(path);
  const userPoolId = match?.[1];
  if (userPoolId === undefined) return false;
  const keys = pools.userPoolKeys(userPoolId);
  if (!keys) {
    sendJson(res, 404, { message: `User pool ${userPoolId} does not exist.` });
    return true;
  }
  if (match?.[2] === 'jwks.json') {
    sendJson(res, 200, keys.jwks);
    return true;
  }
  // Only what the local pool serves: no hosted UI, so no authorization, token or userInfo endpoint.
  sendJson(res, 200, {
    issuer: keys.issuer,
    jwks_uri: `${keys.issuer}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: [TOKEN_ALGORITHM],
    response_types_supported: ['code', 'token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
  });
  return true;
}
