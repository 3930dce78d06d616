import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AcknowledgedChecks } from './nag/acknowledged-checks';
import { acknowledgmentsAt } from './nag/acknowledgments';
import { MonitoringRequired } from './aspects/monitoring-required';
import { ProductionSafeguards } from './aspects/production-safeguards';
import type { MonitoringOptions } from './constructs/context-monitoring';
import { appSettings, DEFAULT_APP_NAME, stackPrefix } from './app-settings';
import { AccountsStack } from './stacks/accounts-stack';
import { ApiStageStack } from './stacks/api-stage-stack';
import { InventoryStack } from './stacks/inventory-stack';
import { OperationsStack } from './stacks/operations-stack';
import { OrdersStack } from './stacks/orders-stack';
import { PaymentProviderStack } from './stacks/payment-provider-stack';
import { PaymentsStack, type ProcessorParameters } from './stacks/payments-stack';
import { PlatformStack } from './stacks/platform-stack';
import { SettingsStack } from './stacks/settings-stack';
import { DEFAULT_QUORUM } from '../functions/settings/domain/quorum';
import { UsersStack } from './stacks/users-stack';

/**
 * In `prod`, the real card processor's URL and API key: SSM parameters its operator creates first, under
 * the app's name (`shop:name`).
 */
export function prodProcessorParameters(name: string): ProcessorParameters {
  return { endpoint: `/${name}/payment-processor/endpoint`, apiKey: `/${name}/payment-processor/api-key` };
}

/** Those of the app named `shop` (the default). */
export const PROD_PROCESSOR_PARAMETERS: ProcessorParameters = prodProcessorParameters(DEFAULT_APP_NAME);

export function buildApp(app: App = new App()): App {
  const settings = appSettings(app.node);
  // Every stack, and every name that must be unique in an account and Region, carries the app's name.
  const prefix = stackPrefix(settings.name);
  const thresholds = {
    apiLatencyP99: settings.apiLatencyP99,
    apiServerErrorRatePercent: settings.apiServerErrorRatePercent,
    functionErrorRatePercent: settings.functionErrorRatePercent,
    queueMessageAge: settings.queueMessageAge,
  };
  const platform = new PlatformStack(app, `${prefix}Platform`, {
    description: 'Order platform: event bus, public API and the alarm topic',
    name: settings.name,
    alarmEmail: settings.alarmEmail,
    thresholds,
  });
  // Every context's alarms and guard notify the platform's one topic (docs/patterns/monitoring.md).
  const monitoring: MonitoringOptions = {
    alarmTopic: platform.alarmTopic,
    namePrefix: settings.name,
    thresholds,
  };
  // The contexts on the order path check each deployment with a synthetic order; on the local stage only
  // the orders context does: one machine did not carry 34 synthetic orders at once beside the 49
  // deployments of a release (docs/patterns/progressive-delivery.md).
  const syntheticOrderCheck = { parameterName: `/${settings.name}/synthetic-check` };
  const onOrderPath = settings.stage === 'local' ? {} : { syntheticOrderCheck };
  // Identity first: the user pool and its authorizer, which the other contexts' routes build on.
  const users = new UsersStack(app, `${prefix}Users`, {
    monitoring,
    description: 'Users: the Cognito user pool, registration (UserRegistered) and GET /users/me',
    api: platform.api,
    bus: platform.bus,
    userPoolName: `${settings.name}-users`,
  });
  const inventory = new InventoryStack(app, `${prefix}Inventory`, {
    monitoring,
    ...onOrderPath,
    description: 'Inventory: products, stock and reservations, on the shared API and bus',
    api: platform.api,
    bus: platform.bus,
    authorizer: users.authorizer,
    namespace: platform.namespace,
    apiUrl: platform.apiUrl,
  });
  const accounts = new AccountsStack(app, `${prefix}Accounts`, {
    monitoring,
    ...onOrderPath,
    description: 'Accounts: money accounts, deposits, transfers under optimistic locking, and ledgers',
    api: platform.api,
    authorizer: users.authorizer,
  });
  const payments = new PaymentsStack(app, `${prefix}Payments`, {
    monitoring,
    ...onOrderPath,
    description:
      'Payments: charges and refunds at the card processor or from an account, behind circuit breakers',
    api: platform.api,
    bus: platform.bus,
    authorizer: users.authorizer,
    namespace: platform.namespace,
    discoveryCacheTtl: settings.discoveryCacheTtl,
    ...(settings.stage === 'prod' ? { processorParameters: prodProcessorParameters(settings.name) } : {}),
    accountPayments: accounts.accountPaymentsFunction.live,
    reservedConcurrency: settings.reservedConcurrency,
    breakerFailureThreshold: settings.breakerFailureThreshold,
    breakerFailureRate: settings.breakerFailureRate,
    breakerResetTimeout: settings.breakerResetTimeout,
    paymentWaitBudget: settings.paymentWaitBudget,
    paymentWaitInterval: settings.paymentWaitInterval,
  });
  // Outside prod, a sandbox stands for the third-party card processor: its own API and ledger, nothing
  // shared with ours, test tokens that decline or fail on purpose; two instances (two stages) registered
  // in the processor's service, which payments discovers. Never in prod.
  const provider =
    settings.stage === 'prod'
      ? undefined
      : new PaymentProviderStack(app, `${prefix}PaymentProvider`, {
          monitoring,
          description: 'Simulated external card processor (test tokens), with its own REST API and ledger',
          hangTime: settings.providerHangTime,
          processorService: payments.processorService,
        });
  const orders = new OrdersStack(app, `${prefix}Orders`, {
    monitoring,
    syntheticOrderCheck,
    description:
      'Orders: event-sourced commands, outbox, projection, queries and the orchestrated PlaceOrder saga',
    api: platform.api,
    inventoryService: inventory.service,
    discoveryCacheTtl: settings.discoveryCacheTtl,
    bus: platform.bus,
    authorizer: users.authorizer,
    sagaStyle: settings.sagaStyle,
    sagaStyleParameterName: `/${settings.name}/saga-style`,
    cardVault: payments.cardVaultFunction.live,
    saga: {
      reserveStock: inventory.reserveStockFunction.live,
      releaseStock: inventory.releaseStockFunction.live,
      commitStock: inventory.commitStockFunction.live,
      chargePayment: payments.chargePaymentFunction.live,
      refundPayment: payments.refundPaymentFunction.live,
      approvalThresholdCents: settings.approvalThresholdCents,
      approvalDeadline: settings.approvalDeadline,
      paymentWaitBudget: settings.paymentWaitBudget,
      paymentWaitInterval: settings.paymentWaitInterval,
      watchdog: settings.sagaWatchdog,
    },
  });
  const settingsStore = new SettingsStack(app, `${prefix}Settings`, {
    monitoring,
    description: 'Settings: shared settings and feature flags over three replica tables, with read repair',
    api: platform.api,
    authorizer: users.authorizer,
    quorum: {
      ...DEFAULT_QUORUM,
      readQuorum: settings.settingsReadQuorum ?? DEFAULT_QUORUM.readQuorum,
      writeQuorum: settings.settingsWriteQuorum ?? DEFAULT_QUORUM.writeQuorum,
    },
  });
  // The canary rollout controller of the app's `live` aliases, and its approval route for staff.
  const operations = new OperationsStack(app, `${prefix}Operations`, {
    monitoring,
    description: 'Operations: the canary rollout controller (1 → 5 → 10 → 50 → 100 %) and its approval route',
    api: platform.api,
    bus: platform.bus,
    authorizer: users.authorizer,
    // CloudFormation names every function of the app after its stack: `<Prefix><Context>-…`.
    functionNamePattern: `${prefix}*`,
  });
  // The API's one deployment and stage, after every stack that adds routes to it.
  new ApiStageStack(app, `${prefix}ApiStage`, {
    description: "The public API's deployment and stage: every context's routes, throttled and logged",
    api: platform.api,
    routes: [
      users.routes,
      inventory.routes,
      accounts.routes,
      payments.routes,
      orders.routes,
      settingsStore.routes,
      operations.routes,
    ],
    rateLimit: settings.apiRateLimit,
    burstLimit: settings.apiBurstLimit,
    // Each starts a saga or moves money: a flood of them must not take the reads' share of the stage.
    methodLimits: Object.fromEntries(
      ['POST /orders', 'POST /transfers', 'POST /accounts/{accountId}/deposits'].map((route) => [
        route,
        { rateLimit: settings.commandRateLimit ?? 100, burstLimit: settings.commandBurstLimit ?? 200 },
      ]),
    ),
    webAcl: settings.stage === 'prod',
  });
  // The context stacks add resources to one API one after the other: API Gateway throttles concurrent
  // changes of an API. Orders also add /users/{userId}/orders under the users stack's /users resource
  // (ContextRoutes imports it).
  // The sandbox's stage logs through the account's API Gateway role, which the platform's API sets.
  provider?.addStackDependency(platform);
  inventory.addStackDependency(users);
  accounts.addStackDependency(inventory);
  payments.addStackDependency(accounts);
  orders.addStackDependency(payments);
  settingsStore.addStackDependency(orders);
  operations.addStackDependency(settingsStore);
  // No deploy without monitoring: synthesis fails on a function, queue, API stage or state machine that
  // no alarm watches.
  Aspects.of(app).add(new MonitoringRequired());
  // Production keeps its dead letters and protects its records from deletion.
  if (settings.stage === 'prod') Aspects.of(app).add(new ProductionSafeguards());
  // cdk-nag's AWS Solutions and Serverless packs: synthesis fails on a finding not acknowledged.
  Validations.of(app).addPlugins(
    new AcknowledgedChecks(
      [new AwsSolutionsChecks(app), new ServerlessChecks(app)],
      acknowledgmentsAt(settings.stage),
    ),
  );
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
