import * as z from 'zod';
import { CallTimeoutError, fetchWithTimeout } from '../../../shared/resilience';
import {
  ProviderRejectedError,
  ProviderTransientError,
  UNSUPPORTED_PAYMENT_METHOD,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type ProviderCallOptions,
  type ProviderCharge,
  type ProviderRefund,
  type RefundRequest,
} from '../ports/payment-provider';
import { definedProps } from '../../../shared/objects/defined-props';
import { callWithFailover, instanceSource, type ServiceInstance } from '../../../shared/discovery';

/** `fetch` that aborts the request after `timeoutMs` and then throws `CallTimeoutError`. */
export type TimedFetch = (url: string | URL, init: RequestInit, timeoutMs: number) => Promise<Response>;

export interface HttpPaymentProviderOptions {
  /**
   * One processor API's stage URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`; or
   * `instances`, not both.
   */
  readonly baseUrl?: string;
  /**
   * The processor's instances in the order to try them (a `DiscoveredService`'s `candidates`): a call
   * that finds an instance down (no connection, 502, 503, 504) is sent to the next.
   */
  readonly instances?: () => Promise<readonly ServiceInstance[]>;
  /** Told of each instance a call found down. */
  readonly onInstanceDown?: (instance: ServiceInstance, error: unknown) => void;
  /** Per call: a call still running after it is aborted and fails as a timeout. */
  readonly timeoutMs: number;
  /** @default fetchWithTimeout (shared/resilience) */
  readonly fetch?: TimedFetch;
  /**
   * The processor's API key, sent as `Authorization: Bearer` on every call; read when needed (a cached
   * secret), never kept in configuration. @default none: the sandbox processor takes no credentials
   */
  readonly apiKey?: () => Promise<string>;
}

/** The processor's error body, `{ error: { type, code, message } }`; any part may be missing. */
const ErrorBody = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }),
});

const CapturedCharge = z.object({
  id: z.string().min(1),
  status: z.literal('succeeded'),
  amountCents: z.number().int().nonnegative(),
  currency: z.string().min(1),
});

const ListedCharge = z.object({
  id: z.string().min(1),
  orderId: z.string(),
  status: z.string(),
  amountCents: z.number().int().nonnegative(),
  currency: z.string().min(1),
  refundedCents: z.number().int().nonnegative(),
});
const ChargeList = z.object({ data: z.array(ListedCharge) });

const Refund = z.object({
  id: z.string().min(1),
  chargeId: z.string().min(1),
  amountCents: z.number().int().nonnegative(),
});

/** A decline is a card's answer (402), or a token the processor does not know (400 `invalid_token`). */
const INVALID_TOKEN = 'invalid_token';
/** 409: an earlier request with the same key is still being processed. */
const REQUEST_IN_PROGRESS = 'request_in_progress';

interface Answer {
  readonly status: number;
  /** The body as JSON; `undefined` when empty or not JSON. */
  readonly json: unknown;
  readonly replayed: boolean;
}

interface Call extends ProviderCallOptions {
  readonly method: 'GET' | 'POST';
  /** Relative to the stage URL, e.g. `v1/charges`. */
  readonly path: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

/**
 * The simulated card processor's REST API (functions/payment-provider), reached by its API Gateway
 * stage URL. One HTTP request per method call, aborted after `timeoutMs` without an answer (API
 * Gateway sends an answer whole, so its body follows the headers at once); no retries here — the
 * application composes retry, circuit breaker and this timeout once for every call.
 *
 * Status mapping: 2xx the answer; 402 (and 400 `invalid_token`) a decline; 429 and 5xx (fresh or
 * replayed), 409 `request_in_progress`, a timeout, a network failure or an unusable answer
 * `ProviderTransientError`; any other 4xx `ProviderRejectedError`.
 */
export class HttpPaymentProvider implements PaymentProvider {
  private readonly instances: () => Promise<readonly ServiceInstance[]>;
  private readonly fetch: TimedFetch;

  constructor(private readonly options: HttpPaymentProviderOptions) {
    if (!(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, not ${options.timeoutMs}.`);
    this.instances = instanceSource(options, 'the processor');
    this.fetch = options.fetch ?? fetchWithTimeout;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const { source } = request;
    if (source.method !== 'card') {
      throw new ProviderRejectedError(
        400,
        UNSUPPORTED_PAYMENT_METHOD,
        `The card processor charges cards, not a payment by ${source.method}.`,
      );
    }
    const answer = await this.send({
      method: 'POST',
      path: 'v1/charges',
      idempotencyKey: request.idempotencyKey,
      correlationId: request.correlationId,
      body: {
        amountCents: request.amountCents,
        currency: request.currency,
        token: source.token,
        orderId: request.orderId,
      },
    });
    if (isSuccess(answer.status)) {
      const charge = parseAnswer(CapturedCharge, answer, 'the charge');
      return {
        outcome: 'captured',
        chargeId: charge.id,
        amountCents: charge.amountCents,
        currency: charge.currency,
        replayed: answer.replayed,
      };
    }
    const error = errorOf(answer);
    if (answer.status === 402 || (answer.status === 400 && error.code === INVALID_TOKEN)) {
      return {
        outcome: 'declined',
        code: error.code ?? 'card_declined',
        ...definedProps({ message: error.message }),
      };
    }
    throw rejected('POST v1/charges', answer);
  }

  async listCharges(orderId: string, options: ProviderCallOptions = {}): Promise<readonly ProviderCharge[]> {
    const path = `v1/charges?orderId=${encodeURIComponent(orderId)}`;
    const answer = await this.send({ method: 'GET', path, correlationId: options.correlationId });
    if (!isSuccess(answer.status)) throw rejected(`GET ${path}`, answer);
    return parseAnswer(ChargeList, answer, 'the charge list').data.map((charge) => ({
      chargeId: charge.id,
      orderId: charge.orderId,
      status: charge.status,
      amountCents: charge.amountCents,
      currency: charge.currency,
      refundedCents: charge.refundedCents,
    }));
  }

  async refund(request: RefundRequest): Promise<ProviderRefund> {
    const path = `v1/charges/${encodeURIComponent(request.chargeId)}/refunds`;
    const answer = await this.send({
      method: 'POST',
      path,
      idempotencyKey: request.idempotencyKey,
      correlationId: request.correlationId,
      body: request.amountCents === undefined ? {} : { amountCents: request.amountCents },
    });
    if (!isSuccess(answer.status)) throw rejected(`POST ${path}`, answer);
    const refund = parseAnswer(Refund, answer, 'the refund');
    return { refundId: refund.id, chargeId: refund.chargeId, amountCents: refund.amountCents };
  }

  /** The call to the first instance, and to the next while an instance is down. */
  private async send(call: Call): Promise<Answer> {
    let candidates: readonly ServiceInstance[];
    try {
      candidates = await this.instances();
    } catch (error) {
      // No instance known at all: the processor is unreachable, as for a failed connection.
      throw new ProviderTransientError(
        'network',
        `${call.method} ${call.path}: no processor instance found`,
        {
          cause: error,
        },
      );
    }
    return callWithFailover(candidates, (instance) => this.sendTo(instance.url, call), {
      isInstanceDown,
      ...definedProps({ onInstanceDown: this.options.onInstanceDown }),
    });
  }

  /** One request, its answer read whole; the answers that are not the processor's final word thrown. */
  private async sendTo(baseUrl: string, call: Call): Promise<Answer> {
    const what = `${call.method} ${call.path.split('?')[0] ?? call.path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['Idempotency-Key'] = call.idempotencyKey;
    if (call.correlationId !== undefined) headers['X-Correlation-Id'] = call.correlationId;
    let status: number;
    let text: string;
    let replayed: boolean;
    try {
      if (this.options.apiKey !== undefined) {
        headers['Authorization'] = `Bearer ${await this.options.apiKey()}`;
      }
      const response = await this.fetch(
        new URL(call.path, baseUrl),
        {
          method: call.method,
          headers,
          ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        },
        this.options.timeoutMs,
      );
      status = response.status;
      replayed = response.headers.get('Idempotent-Replayed') === 'true';
      text = await response.text();
    } catch (error) {
      throw isTimeout(error)
        ? new ProviderTransientError('timeout', `${what}: no answer within ${this.options.timeoutMs} ms`, {
            cause: error,
          })
        : new ProviderTransientError('network', `${what}: the request failed before an answer`, {
            cause: error,
          });
    }
    const answer: Answer = { status, json: parseJson(text), replayed };
    const code = errorOf(answer).code;
    const answered = `${what}: the processor answered ${status}${code === undefined ? '' : ` ${code}`}`;
    if (status >= 500 || status === 429) {
      throw new ProviderTransientError(
        replayed ? 'replayed-error' : 'server-error',
        replayed ? `${answered} (replayed)` : answered,
        { status, ...definedProps({ code }) },
      );
    }
    if (status === 409 && code === REQUEST_IN_PROGRESS) {
      throw new ProviderTransientError('in-progress', answered, { status });
    }
    return answer;
  }
}

/**
 * The instance could not be reached, or its gateway answered 502, 503 or 504 without the processor's
 * own error body (API Gateway's `{"message": …}`: the instance's backend did not answer): another
 * instance may answer. The processor's own 503 (`{"error": {"code": …}}`) is an answer — it is up and
 * says "later", as every instance would; and a timeout may have reached the processor (the retry
 * policy and the idempotency key deal with both).
 */
function isInstanceDown(error: unknown): boolean {
  if (!(error instanceof ProviderTransientError)) return false;
  if (error.reason === 'network') return true;
  return (
    error.reason === 'server-error' && [502, 503, 504].includes(error.status ?? 0) && error.code === undefined
  );
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** By name as well as class: a bundle may hold more than one copy of the module. */
function isTimeout(error: unknown): boolean {
  return error instanceof CallTimeoutError || (error instanceof Error && error.name === 'CallTimeoutError');
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorOf(answer: Answer): { code?: string; message?: string } {
  const parsed = ErrorBody.safeParse(answer.json);
  return parsed.success ? parsed.data.error : {};
}

function parseAnswer<S extends z.ZodType>(schema: S, answer: Answer, what: string): z.output<S> {
  const parsed = schema.safeParse(answer.json);
  if (parsed.success) return parsed.data;
  throw new ProviderTransientError(
    'malformed-answer',
    `the processor answered ${what} (${answer.status}) in an unexpected shape: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`)
      .join('; ')}`,
    { status: answer.status },
  );
}

function rejected(what: string, answer: Answer): ProviderRejectedError {
  const { code, message } = errorOf(answer);
  return new ProviderRejectedError(
    answer.status,
    code,
    `${what}: the processor refused the request with ${answer.status}${code === undefined ? '' : ` ${code}`}${
      message === undefined ? '' : `: ${message}`
    }`,
  );
}
