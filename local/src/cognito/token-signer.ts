/**
 * The local cloud's signing key for user pool tokens: one RS256 key pair per local cloud, made at start-up
 * with `jose` (nothing of the cryptography is written here). Every pool publishes its public key in its JWKS,
 * under the key's JWK thumbprint as `kid`, so verifiers find it as they find Cognito's.
 */
import {
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';

export const TOKEN_ALGORITHM = 'RS256';

export type TokenCheck =
  | { readonly valid: true; readonly payload: JWTPayload }
  | { readonly valid: false; readonly reason: 'expired' | 'invalid' };

export class TokenSigner {
  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    /** The public key as a JWK, `kid`, `alg` and `use` included. */
    private readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  static async create(): Promise<TokenSigner> {
    const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { modulusLength: 2048 });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new TokenSigner(
      privateKey,
      publicKey,
      { alg: TOKEN_ALGORITHM, e: jwk.e, kid, kty: jwk.kty, n: jwk.n, use: 'sig' },
      kid,
    );
  }

  /** The JWKS a pool answers at `/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** A JWT of exactly these claims (`exp`, `iat` and the others are the caller's), `kid` in its header. */
  sign(claims: Readonly<Record<string, unknown>>): Promise<string> {
    return new SignJWT({ ...claims })
      .setProtectedHeader({ kid: this.kid, alg: TOKEN_ALGORITHM })
      .sign(this.privateKey);
  }

  /** Whether `token` is one of this key's, from `issuer`, and unexpired at `now` (milliseconds). */
  async check(token: string, issuer: string, now: number): Promise<TokenCheck> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer,
        algorithms: [TOKEN_ALGORITHM],
        currentDate: new Date(now),
      });
      return { valid: true, payload };
    } catch (error) {
      return { valid: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}
