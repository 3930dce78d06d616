/**
 * The shop as its clients see it, on any target: users signed up and in on the user pool with the
 * Cognito API, and the REST API called with their ID token.
 */
import { randomUUID } from 'node:crypto';
import { eventually } from 'cdk-local-cloud';
import { callJson, type JsonAnswer, type JsonCall } from '../../support/shop-cloud';
import { signUpAndSignIn, type SignedInUser } from '../../../infra/ops/shop-users';
import type { E2eTarget } from './e2e-target';

export interface ShopClient {
  readonly user: SignedInUser;
  call(method: string, path: string, options?: JsonCall): Promise<JsonAnswer>;
  /** A `POST` with a new `Idempotency-Key`, as a client sends each new command. */
  command(path: string, body: unknown): Promise<JsonAnswer>;
}

/** A new user of this run (`<role>.<run>@example.com`), signed up, confirmed and signed in. */
export async function signedInClient(
  target: E2eTarget,
  role: string,
  options: { readonly staff?: boolean } = {},
): Promise<ShopClient> {
  const user = await signUpAndSignIn(
    target.clientConfig,
    {
      userPoolId: target.output('Users', 'UserPoolId'),
      clientId: target.output('Users', 'UserPoolClientId'),
    },
    { email: `${role}.${randomUUID()}@example.com`, staff: options.staff ?? false },
  );
  return clientOf(target, user);
}

/** The API called with `user`'s token, or with none. */
export function clientOf(target: E2eTarget, user: SignedInUser): ShopClient {
  const call = (method: string, path: string, options: JsonCall = {}): Promise<JsonAnswer> =>
    callJson(target.apiUrl, method, path, {
      ...options,
      headers: { Authorization: user.idToken, ...options.headers },
    });
  return {
    user,
    call,
    command: (path, body) => call('POST', path, { body, headers: { 'Idempotency-Key': randomUUID() } }),
  };
}

/** The API without a token. */
export function anonymous(target: E2eTarget): (method: string, path: string) => Promise<JsonAnswer> {
  return (method, path) => callJson(target.apiUrl, method, path);
}

/** Fails the test with the answer when its status is not `expected`; returns the body. */
export function expectStatus(answer: JsonAnswer, expected: number): Record<string, unknown> {
  if (answer.status !== expected) {
    throw new Error(`Expected ${expected}, got ${answer.status}: ${answer.text}`);
  }
  return answer.body;
}

/** Polls `GET /orders/{id}` until the order is in one of `statuses`; answers its read model. */
export async function orderReaching(
  client: ShopClient,
  orderId: string,
  statuses: readonly string[],
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  let last = 'no answer yet';
  try {
    return await eventually(
      async () => {
        const answer = await client.call('GET', `/orders/${orderId}`);
        last = `${answer.status} ${answer.text}`;
        const status = answer.body['status'];
        return answer.status === 200 && typeof status === 'string' && statuses.includes(status)
          ? answer.body
          : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `order ${orderId} to be ${statuses.join(' or ')}` },
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last answer: ${last}`);
  }
}
