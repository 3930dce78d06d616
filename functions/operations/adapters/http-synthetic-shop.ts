import { randomUUID } from 'node:crypto';
import {
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { SyntheticCheckSettingsSchema, type SyntheticCheckSettings } from '../contracts/synthetic-check';
import { urlUnder } from '../../../shared/http';
import { fetchWithTimeout } from '../../../shared/resilience';
import type { SyntheticShop } from '../ports/synthetic-shop';

export interface HttpSyntheticShopProps {
  /** The `SecureString` parameter of the synthetic customer (contracts/synthetic-check.ts). */
  readonly parameterName: string;
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  /** Each request's limit. @default 10_000 */
  readonly requestTimeoutMs?: number;
}

/**
 * The synthetic customer on the shop's public API, as a front end would be: signed in with
 * `USER_PASSWORD_AUTH`, `POST /orders` (one unit of its product, paid from its account, a new
 * `Idempotency-Key`), then `GET /orders/{orderId}` until the read model has it. The settings are read
 * from SSM (decrypted, cached for a minute); the ID token is kept while it is valid.
 */
export class HttpSyntheticShop implements SyntheticShop {
  private signedIn: { readonly email: string; readonly idToken: string; readonly until: number } | undefined;

  constructor(private readonly props: HttpSyntheticShopProps) {}

  async placeOrder(): Promise<string> {
    const settings = await this.settings();
    const response = await this.request(settings, 'POST', 'orders', {
      items: [{ productId: settings.productId, quantity: 1 }],
      payment: { method: 'account', accountId: settings.accountId },
    });
    const body = (await response.json()) as { orderId?: unknown };
    if (response.status !== 202 || typeof body.orderId !== 'string') {
      throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(body)}`);
    }
    return body.orderId;
  }

  async statusOf(orderId: string): Promise<string | undefined> {
    const settings = await this.settings();
    const response = await this.request(settings, 'GET', `orders/${encodeURIComponent(orderId)}`);
    const body = (await response.json()) as { status?: unknown };
    if (response.status === 404) return undefined;
    if (response.status !== 200 || typeof body.status !== 'string') {
      throw new Error(`GET /orders/${orderId} answered ${response.status}: ${JSON.stringify(body)}`);
    }
    return body.status;
  }

  private async settings(): Promise<SyntheticCheckSettings> {
    const value = await getParameter(this.props.parameterName, { decrypt: true, maxAge: 60 });
    if (value === undefined) throw new Error(`The parameter ${this.props.parameterName} is not set.`);
    return SyntheticCheckSettingsSchema.parse(JSON.parse(value));
  }

  private async request(
    settings: SyntheticCheckSettings,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    return fetchWithTimeout(
      urlUnder(settings.apiUrl, path),
      {
        method,
        headers: {
          Authorization: await this.idToken(settings),
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'Idempotency-Key': randomUUID() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      this.props.requestTimeoutMs ?? 10_000,
    );
  }

  private async idToken(settings: SyntheticCheckSettings): Promise<string> {
    const kept = this.signedIn;
    if (kept !== undefined && kept.email === settings.email && kept.until > Date.now()) return kept.idToken;
    const { AuthenticationResult } = await this.props.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: settings.clientId,
        AuthParameters: { USERNAME: settings.email, PASSWORD: settings.password },
      }),
    );
    const idToken = AuthenticationResult?.IdToken;
    if (idToken === undefined) throw new Error('Signing the synthetic customer in answered no ID token.');
    // Kept for half its life, at most.
    const seconds = AuthenticationResult?.ExpiresIn ?? 3600;
    this.signedIn = { email: settings.email, idToken, until: Date.now() + (seconds * 1000) / 2 };
    return idToken;
  }
}
