/**
 * The synthetic customer of the deployments' after-traffic check (`BlueGreenDelivery`'s
 * `syntheticOrderCheck`): signed up and confirmed in the user pool (so registered by the users context),
 * with an empty account of its own and a product of its own (priced 1 cent, so no approval), all written
 * to the SSM `SecureString` the hooks read. Its orders are declined by accounts and cancelled by the
 * saga: no money moves, and the unit each one reserves is released.
 */
import { randomUUID } from 'node:crypto';
import type { CognitoIdentityProviderClientConfig } from '@aws-sdk/client-cognito-identity-provider';
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  SYNTHETIC_CHECK_PARAMETER_NAME,
  SyntheticCheckSettingsSchema,
  type SyntheticCheckSettings,
} from '../../functions/operations/contracts/synthetic-check';
import { urlUnder } from '../../shared/http';
import { signUpAndSignIn, type ShopUserPool } from './shop-users';

export interface SyntheticCheckOptions {
  readonly ssm: SSMClient;
  /** Where Cognito answers: AWS, or the local cloud's edge. */
  readonly cognito: CognitoIdentityProviderClientConfig;
  readonly pool: ShopUserPool;
  /** The API's stage URL the hooks call. */
  readonly apiUrl: string;
  /** A staff member, who creates the customer's product. Asked only when the customer is new. */
  readonly staff: () => Promise<{ readonly idToken: string }>;
  /** @default SYNTHETIC_CHECK_PARAMETER_NAME */
  readonly parameterName?: string;
}

/**
 * The synthetic customer in the parameter, made (and the parameter written) when there is none yet, or
 * when the one there names another API or app client.
 */
export async function ensureSyntheticCheck(
  options: SyntheticCheckOptions,
): Promise<{ readonly settings: SyntheticCheckSettings; readonly created: boolean }> {
  const name = options.parameterName ?? SYNTHETIC_CHECK_PARAMETER_NAME;
  const existing = await readSettings(options.ssm, name);
  if (existing?.apiUrl === options.apiUrl && existing.clientId === options.pool.clientId) {
    return { settings: existing, created: false };
  }
  const customer = await signUpAndSignIn(options.cognito, options.pool, {
    email: `synthetic-check.${randomUUID()}@example.com`,
  });
  const staff = await options.staff();
  const { accountId } = await post<{ accountId: string }>(options.apiUrl, 'accounts', customer.idToken, {
    currency: 'USD',
  });
  const { productId } = await post<{ productId: string }>(options.apiUrl, 'products', staff.idToken, {
    name: 'Synthetic check item (not for sale)',
    priceCents: 1,
    currency: 'USD',
    stock: 1_000_000,
  });
  const settings: SyntheticCheckSettings = {
    apiUrl: options.apiUrl,
    clientId: options.pool.clientId,
    email: customer.email,
    password: customer.password,
    productId,
    accountId,
  };
  await options.ssm.send(
    new PutParameterCommand({
      Name: name,
      Type: 'SecureString',
      Value: JSON.stringify(settings),
      Overwrite: true,
      Description: "The synthetic customer of the deployments' after-traffic check",
    }),
  );
  return { settings, created: true };
}

async function readSettings(ssm: SSMClient, name: string): Promise<SyntheticCheckSettings | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const parsed = SyntheticCheckSettingsSchema.safeParse(JSON.parse(Parameter?.Value ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

async function post<T>(apiUrl: string, path: string, idToken: string, body: unknown): Promise<T> {
  const response = await fetch(urlUnder(apiUrl, path), {
    method: 'POST',
    headers: { Authorization: idToken, 'content-type': 'application/json', 'Idempotency-Key': randomUUID() },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  if (response.status !== 201) {
    throw new Error(`POST /${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer as T;
}
