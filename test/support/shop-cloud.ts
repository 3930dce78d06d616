import * as path from 'node:path';
import { type LocalCloud, type LocalCloudOptions, localClientConfig, startTestCloud } from 'cdk-local-cloud';
import { shopUserPool, signUpAndSignIn, type SignedInUser } from '../../infra/ops/shop-users';

export const PROJECT_DIR = path.resolve(__dirname, '..', '..');

/** The app as the local cloud runs it (`npm start` too): the `local` stage (docs/deploying.md). */
export const LOCAL_STAGE_CONTEXT: Readonly<Record<string, string>> = { 'shop:stage': 'local' };

/**
 * Boots the local cloud on this project for a test suite (see `startTestCloud`); by default on the real
 * app (`cdk.json`) at the `local` stage. `overrides` win: another app command, context over the stage's,
 * or a test that watches the log itself passes its own `log`.
 */
export async function startShopCloud(
  overrides: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  return startTestCloud({
    projectDir: PROJECT_DIR,
    ...overrides,
    context: { ...LOCAL_STAGE_CONTEXT, ...overrides.context },
  });
}

/**
 * A new user of the shop, signed in: signed up on the users stack's pool, confirmed by an administrator
 * (the PostConfirmation trigger registers them), in the `staff` group when asked, and signed in. Send
 * `Authorization: <idToken>` to the API.
 */
export async function signedInUser(
  cloud: LocalCloud,
  options: { readonly email: string; readonly staff?: boolean },
): Promise<SignedInUser> {
  const { userId, idToken, email } = await signUpAndSignIn(
    localClientConfig(cloud.edgeUrl),
    shopUserPool(cloud.outputs),
    options,
  );
  return { userId, idToken, email };
}

/** A staff member and `customers` customers, all signed in, `<role>[-n].<tag>@example.com`. */
export async function signedInStaffAndCustomers(
  cloud: LocalCloud,
  options: { readonly tag: string; readonly customers: number },
): Promise<{ readonly staff: SignedInUser; readonly customers: readonly SignedInUser[] }> {
  const [staff, ...customers] = await Promise.all([
    signedInUser(cloud, { email: `staff.${options.tag}@example.com`, staff: true }),
    ...Array.from({ length: options.customers }, (_, n) =>
      signedInUser(cloud, { email: `customer-${n}.${options.tag}@example.com` }),
    ),
  ]);
  if (staff === undefined) throw new Error('no staff member signed in');
  return { staff, customers };
}

/**
 * Customers by name, each signed up and in on first use (`<name>.<tag>@example.com`) and the same user
 * after: a test that counts a customer's orders names a customer of its own. `cloud` is read on first
 * use, so the directory can be made before the cloud starts.
 */
export function customerDirectory(
  cloud: () => LocalCloud,
  tag: string,
): (name: string) => Promise<SignedInUser> {
  const signedIn = new Map<string, Promise<SignedInUser>>();
  return (name) => {
    let user = signedIn.get(name);
    if (user === undefined) {
      user = signedInUser(cloud(), { email: `${name}.${tag}@example.com` });
      signedIn.set(name, user);
    }
    return user;
  };
}

/** The PlaceOrder state machine's ARN, from the orders stack's output. */
export function placeOrderMachineArn(cloud: LocalCloud): string {
  const arn = cloud.outputs['ShopOrders']?.['PlaceOrderStateMachineArn'];
  if (arn === undefined) throw new Error('no ShopOrders output PlaceOrderStateMachineArn');
  return arn;
}

/** The PlaceOrder saga's execution of an order: the saga runs under the order id as its name. */
export function placeOrderExecutionArn(machineArn: string, orderId: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
}

/** An HTTP answer: the body parsed as JSON (`{}` when empty, `{ unparsed: text }` when not JSON). */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export interface JsonCall {
  readonly body?: unknown;
  /** Sent as is, instead of `JSON.stringify(body)`. */
  readonly raw?: string;
  /** Over the defaults; a `Content-Type` here replaces `application/json`. */
  readonly headers?: Record<string, string>;
}

/** Sends `method` `baseUrl + path` with a JSON body (or `raw`), as a client of the API does. */
export async function callJson(
  baseUrl: string,
  method: string,
  path: string,
  options: JsonCall = {},
): Promise<JsonAnswer> {
  const given = options.headers ?? {};
  const hasContentType = Object.keys(given).some((name) => name.toLowerCase() === 'content-type');
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: hasContentType ? given : { 'Content-Type': 'application/json', ...given },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = { unparsed: text };
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Calls the shop's API as one client: `(method, path, options)`. */
export type ApiCall = (method: string, path: string, options?: JsonCall) => Promise<JsonAnswer>;

/**
 * The shop's API (`cloud.apiUrl`) called as `user`: their ID token in `Authorization` on every call
 * (a header the call names itself wins). Without a user, calls carry no token.
 */
export function apiAs(cloud: LocalCloud, user?: Pick<SignedInUser, 'idToken'>): ApiCall {
  return (method, path, options = {}) =>
    callJson(cloud.apiUrl, method, path, {
      ...options,
      headers: {
        ...(user === undefined ? {} : { Authorization: user.idToken }),
        ...options.headers,
      },
    });
}

/** `GET` of one of the local cloud's own endpoints (`/_local/...`); anything but 200 throws. */
export async function localJson<T>(cloud: LocalCloud, path: string): Promise<T> {
  const answer = await callJson(cloud.apiUrl, 'GET', path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
  return answer.body as unknown as T;
}
