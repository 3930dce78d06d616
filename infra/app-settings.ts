import { Duration } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/**
 * The app's tunables, read from CDK context (`cdk.json`, or `cdk deploy -c key=value`, or the local
 * cloud's `npm start -- -c key=value`): what a test or a staging environment changes without editing
 * code, e.g. a one-minute approval deadline.
 */
export interface AppSettings {
  /** Where the app runs: `prod` has a real card processor and no sandbox one. @default 'dev' */
  readonly stage: Stage;
  /**
   * The app's name: its stacks' names (`shop` → `ShopOrders`…), its bus, its exports and its SSM
   * parameters carry it, so that copies of the app with other names live side by side in an account
   * and Region. @default 'shop'
   */
  readonly name: string;
  readonly approvalThresholdCents?: number;
  readonly approvalDeadline?: Duration;
  readonly breakerFailureThreshold?: number;
  readonly breakerFailureRate?: { percent?: number; minimumCalls?: number; window?: Duration };
  readonly breakerResetTimeout?: Duration;
  readonly providerHangTime?: Duration;
  readonly paymentWaitBudget?: Duration;
  readonly paymentWaitInterval?: Duration;
  /** The saga style new orders start with (the initial value of the `/shop/saga-style` parameter). */
  readonly sagaStyle?: SagaStyle;
  /** How long a choreographed order may take to be PAID or CANCELLED before its watchdog cancels it. */
  readonly sagaWatchdog?: Duration;
  /** The API stage's throttle for each method: requests a second, and the burst above it. */
  readonly apiRateLimit?: number;
  readonly apiBurstLimit?: number;
  /**
   * The tighter throttle of each command that starts a saga or moves money (`POST /orders`,
   * `POST /transfers`, `POST /accounts/{accountId}/deposits`): requests a second, and the burst.
   */
  readonly commandRateLimit?: number;
  readonly commandBurstLimit?: number;
  /** How long the payments functions use the card processor's discovered instances. @default 10 s */
  readonly discoveryCacheTtl?: Duration;
  /** R and W of the settings store's three replicas. @default 2 and 2 (`DEFAULT_QUORUM`) */
  readonly settingsReadQuorum?: number;
  readonly settingsWriteQuorum?: number;
  /**
   * Whether the bulkhead's functions reserve their concurrency. A new account's Lambda quota (10
   * concurrent executions, all of which must stay unreserved) refuses any reservation, so a first
   * deploy to `dev` reserves nothing. @default true in `local` and `prod`, false in `dev`
   */
  readonly reservedConcurrency: boolean;
  /**
   * An address subscribed to the alarm topic: every alarm and guard notification (the address confirms
   * the subscription first). @default - no subscription
   */
  readonly alarmEmail?: string;
  /** The p99 latency of a route at which its alarm fires. @default 3 s (`ContextMonitoring`) */
  readonly apiLatencyP99?: Duration;
  /** The share of a route's requests answered 5xx, in percent, at which its alarm fires. @default 5 */
  readonly apiServerErrorRatePercent?: number;
  /** The share of a function's invocations that failed, in percent, at which its alarm fires. @default 5 */
  readonly functionErrorRatePercent?: number;
  /** The age of a work queue's oldest message at which its alarm fires. @default 30 minutes */
  readonly queueMessageAge?: Duration;
}

/** `local` and `dev` run the sandbox card processor; `prod` a real one (docs/deploying.md). */
export type Stage = 'local' | 'dev' | 'prod';
export const STAGES: readonly Stage[] = ['local', 'dev', 'prod'];

/** The app's name unless `shop:name` says otherwise. */
export const DEFAULT_APP_NAME = 'shop';

/** `shop` → `Shop`, `blue-shop` → `BlueShop`: the prefix of the app's stack names (`ShopOrders`). */
export function stackPrefix(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const APP_NAME = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

export type SagaStyle = 'orchestrated' | 'choreographed';
export const SAGA_STYLES: readonly SagaStyle[] = ['orchestrated', 'choreographed'];

/** The context keys, each a whole number unless said otherwise; absent keys keep the stacks' defaults. */
export const SETTINGS_CONTEXT_KEYS = {
  approvalThresholdCents: 'shop:approvalThresholdCents',
  approvalDeadlineSeconds: 'shop:approvalDeadlineSeconds',
  /** Set: the seed's consecutive-failure rule instead of the failure rate. */
  breakerFailureThreshold: 'shop:breakerFailureThreshold',
  breakerFailureRatePercent: 'shop:breakerFailureRatePercent',
  breakerMinimumCalls: 'shop:breakerMinimumCalls',
  breakerWindowSeconds: 'shop:breakerWindowSeconds',
  breakerResetTimeoutSeconds: 'shop:breakerResetTimeoutSeconds',
  providerHangSeconds: 'shop:providerHangSeconds',
  paymentWaitBudgetSeconds: 'shop:paymentWaitBudgetSeconds',
  paymentWaitIntervalSeconds: 'shop:paymentWaitIntervalSeconds',
  sagaWatchdogSeconds: 'shop:sagaWatchdogSeconds',
  apiRateLimit: 'shop:apiRateLimit',
  apiBurstLimit: 'shop:apiBurstLimit',
  commandRateLimit: 'shop:commandRateLimit',
  commandBurstLimit: 'shop:commandBurstLimit',
  discoveryCacheTtlSeconds: 'shop:discoveryCacheTtlSeconds',
  settingsReadQuorum: 'shop:settingsReadQuorum',
  settingsWriteQuorum: 'shop:settingsWriteQuorum',
  apiLatencyP99Ms: 'shop:apiLatencyP99Ms',
  /** At most 100. */
  apiServerErrorRatePercent: 'shop:apiServerErrorRatePercent',
  /** At most 100. */
  functionErrorRatePercent: 'shop:functionErrorRatePercent',
  queueMessageAgeSeconds: 'shop:queueMessageAgeSeconds',
  /** Not a number: an email address. */
  alarmEmail: 'shop:alarmEmail',
  /** Not a number: `orchestrated` or `choreographed`. */
  sagaStyle: 'shop:sagaStyle',
  /** Not a number: `local`, `dev` or `prod`. */
  stage: 'shop:stage',
  /** Not a number: `on` or `off`. */
  reservedConcurrency: 'shop:reservedConcurrency',
  /** Not a number: lower-case letters, digits and dashes, e.g. `blue`. */
  name: 'shop:name',
} as const;

export function appSettings(node: Node): AppSettings {
  const whole = (key: string): number | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined) return undefined;
    // The CLI passes context values as strings; cdk.json may hold numbers.
    const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new Error(`Context ${key} must be a positive whole number, not ${JSON.stringify(value)}.`);
    }
    return parsed;
  };
  const seconds = (key: string): Duration | undefined => {
    const value = whole(key);
    return value === undefined ? undefined : Duration.seconds(value);
  };
  const failureRate = (): AppSettings['breakerFailureRate'] => {
    const percent = whole(SETTINGS_CONTEXT_KEYS.breakerFailureRatePercent);
    const minimumCalls = whole(SETTINGS_CONTEXT_KEYS.breakerMinimumCalls);
    const window = seconds(SETTINGS_CONTEXT_KEYS.breakerWindowSeconds);
    if (percent === undefined && minimumCalls === undefined && window === undefined) return undefined;
    return { percent, minimumCalls, window };
  };
  const oneOf = <T extends string>(key: string, values: readonly T[]): T | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new Error(`Context ${key} must be one of ${values.join(', ')}, not ${JSON.stringify(value)}.`);
    }
    return value as T;
  };
  const percent = (key: string): number | undefined => {
    const value = whole(key);
    if (value !== undefined && value > 100) {
      throw new Error(`Context ${key} is a percentage: a whole number from 1 to 100, not ${value}.`);
    }
    return value;
  };
  const email = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      throw new Error(
        `Context ${key} must be an email address (e.g. ops@example.com), not ${JSON.stringify(value)}.`,
      );
    }
    return value;
  };
  const millis = (key: string): Duration | undefined => {
    const value = whole(key);
    return value === undefined ? undefined : Duration.millis(value);
  };
  const stage = oneOf(SETTINGS_CONTEXT_KEYS.stage, STAGES) ?? 'dev';
  const name: unknown = node.tryGetContext(SETTINGS_CONTEXT_KEYS.name) ?? DEFAULT_APP_NAME;
  if (typeof name !== 'string' || !APP_NAME.test(name)) {
    throw new Error(
      `Context ${SETTINGS_CONTEXT_KEYS.name} must be 1 to 20 lower-case letters, digits or dashes, starting ` +
        `with a letter (e.g. blue), not ${JSON.stringify(name)}.`,
    );
  }
  const reservedConcurrency = oneOf(SETTINGS_CONTEXT_KEYS.reservedConcurrency, ['on', 'off'] as const);
  return {
    stage,
    name,
    reservedConcurrency: reservedConcurrency === undefined ? stage !== 'dev' : reservedConcurrency === 'on',
    sagaStyle: oneOf(SETTINGS_CONTEXT_KEYS.sagaStyle, SAGA_STYLES),
    approvalThresholdCents: whole(SETTINGS_CONTEXT_KEYS.approvalThresholdCents),
    approvalDeadline: seconds(SETTINGS_CONTEXT_KEYS.approvalDeadlineSeconds),
    breakerFailureThreshold: whole(SETTINGS_CONTEXT_KEYS.breakerFailureThreshold),
    breakerFailureRate: failureRate(),
    breakerResetTimeout: seconds(SETTINGS_CONTEXT_KEYS.breakerResetTimeoutSeconds),
    providerHangTime: seconds(SETTINGS_CONTEXT_KEYS.providerHangSeconds),
    paymentWaitBudget: seconds(SETTINGS_CONTEXT_KEYS.paymentWaitBudgetSeconds),
    paymentWaitInterval: seconds(SETTINGS_CONTEXT_KEYS.paymentWaitIntervalSeconds),
    sagaWatchdog: seconds(SETTINGS_CONTEXT_KEYS.sagaWatchdogSeconds),
    apiRateLimit: whole(SETTINGS_CONTEXT_KEYS.apiRateLimit),
    apiBurstLimit: whole(SETTINGS_CONTEXT_KEYS.apiBurstLimit),
    commandRateLimit: whole(SETTINGS_CONTEXT_KEYS.commandRateLimit),
    commandBurstLimit: whole(SETTINGS_CONTEXT_KEYS.commandBurstLimit),
    discoveryCacheTtl: seconds(SETTINGS_CONTEXT_KEYS.discoveryCacheTtlSeconds),
    settingsReadQuorum: whole(SETTINGS_CONTEXT_KEYS.settingsReadQuorum),
    settingsWriteQuorum: whole(SETTINGS_CONTEXT_KEYS.settingsWriteQuorum),
    alarmEmail: email(SETTINGS_CONTEXT_KEYS.alarmEmail),
    apiLatencyP99: millis(SETTINGS_CONTEXT_KEYS.apiLatencyP99Ms),
    apiServerErrorRatePercent: percent(SETTINGS_CONTEXT_KEYS.apiServerErrorRatePercent),
    functionErrorRatePercent: percent(SETTINGS_CONTEXT_KEYS.functionErrorRatePercent),
    queueMessageAge: seconds(SETTINGS_CONTEXT_KEYS.queueMessageAgeSeconds),
  };
}
