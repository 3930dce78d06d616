import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { ContextRoutes } from '../constructs/context-routes';
import { BlueGreenDelivery, type SyntheticOrderCheckOptions } from '../constructs/blue-green-delivery';
import { ContextMonitoring, type MonitoringOptions } from '../constructs/context-monitoring';
import { sharedApiStage } from './platform-stack';
import { ContextTable } from '../constructs/context-table';
import { IdempotencyTable } from '../constructs/idempotency-table';
import { ServiceFunction } from '../constructs/service-function';
import { TRANSFER_METRICS } from '../../functions/accounts/ports/transfer-metrics';

export interface AccountsStackProps extends StackProps {
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
  /** The platform's public REST API; the accounts routes are added to it from this stack. */
  readonly api: apigateway.IRestApi;
  /** Checks the caller's ID token on every route of this stack (the users stack's Cognito authorizer). */
  readonly authorizer: apigateway.IAuthorizer;
  /**
   * The synthetic customer whose order each blue/green deployment's after-traffic hook places, and which
   * must reach the read model (`infra/ops/synthetic-check.ts` makes it): the contexts on the order path.
   * @default - the after-traffic hook sends the smoke request alone
   */
  readonly syntheticOrderCheck?: SyntheticOrderCheckOptions;
}

const SERVICE = 'accounts';
const handler = (name: string): string => `functions/accounts/handlers/${name}.handler.ts`;

/**
 * Deposits and transfers retry lost races for up to 20 s and keep 1 s to answer the 409: room for both
 * inside API Gateway's 29 s.
 */
const MONEY_MOVEMENT_TIMEOUT = Duration.seconds(25);
/**
 * The payment of an order retries lost races for up to 2.5 s (`SERVICE_CALL_RETRY`): it answers within
 * the payments functions' 4 s wait, and a call they abandon still finishes its transaction.
 */
const ACCOUNT_PAYMENTS_TIMEOUT = Duration.seconds(5);

/**
 * The accounts context: customers' money accounts, their deposits, transfers under optimistic locking
 * (one `TransactWriteItems` over both accounts) and ledgers, behind `/accounts` and `/transfers` on the
 * shared API. Every route is behind the users stack's Cognito authorizer: the caller comes from the
 * token, never from the body.
 *
 * Orders paid from an account: the payments context invokes `accountPaymentsFunction` (no route; only
 * the functions it is granted to may call it), which moves the amount into the shop's account in the
 * order's currency and back for a refund (`functions/accounts/contracts/account-payments.ts`).
 *
 * The context publishes no events yet, so its table has no stream and no outbox relay. The routes live
 * in this stack, on the API imported by id (as the other contexts' do); `ApiStageStack` deploys them.
 */
export class AccountsStack extends Stack {
  /** The context's dashboard, alarms and guard (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;
  /** The context's routes on the shared API, for the API's deployment (`ApiStageStack`). */
  public readonly routes: ContextRoutes;
  /** Accounts, ledger entries, transfers and claimed request keys: `functions/accounts/adapters/account-items.ts`. */
  public readonly accountsTable: ContextTable;
  public readonly idempotencyTable: IdempotencyTable;
  public readonly openAccountFunction: ServiceFunction;
  public readonly getAccountFunction: ServiceFunction;
  public readonly depositMoneyFunction: ServiceFunction;
  public readonly transferMoneyFunction: ServiceFunction;
  public readonly listTransactionsFunction: ServiceFunction;
  /** The payment API of the payments context: charge an order from an account, refund it, list its charge. */
  public readonly accountPaymentsFunction: ServiceFunction;

  constructor(scope: Construct, id: string, props: AccountsStackProps) {
    super(scope, id, props);
    // The API comes in as `Fn::ImportValue`s: CloudFormation then refuses to remove from the platform
    // stack what accounts still uses.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    // It holds customers' money: retained, as every context table, when the stack goes.
    this.accountsTable = new ContextTable(this, 'AccountsTable');
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable');

    const queryEnv = { ACCOUNTS_TABLE: this.accountsTable.tableName };
    const commandEnv = { ...queryEnv, IDEMPOTENCY_TABLE: this.idempotencyTable.tableName };

    // One conditional put of the new account.
    this.openAccountFunction = new ServiceFunction(this, 'OpenAccountFunction', {
      entry: handler('open-account'),
      service: SERVICE,
      description: "POST /accounts: opens an empty account in a currency, the caller's own",
      environment: commandEnv,
    });
    this.accountsTable.grant(this.openAccountFunction, 'dynamodb:PutItem');
    this.idempotencyTable.grantRecords(this.openAccountFunction);

    this.getAccountFunction = this.queryFunction('GetAccountFunction', 'get-account', {
      description: 'GET /accounts/{accountId}: an account and its balance, for its owner and staff',
      environment: queryEnv,
    });
    this.listTransactionsFunction = this.queryFunction('ListTransactionsFunction', 'list-transactions', {
      description: "GET /accounts/{accountId}/transactions: an account's ledger, newest first, by page",
      environment: queryEnv,
    });

    this.depositMoneyFunction = this.moneyMovementFunction('DepositMoneyFunction', 'deposit-money', {
      description: 'POST /accounts/{accountId}/deposits: tops an account up, once per Idempotency-Key',
      environment: commandEnv,
    });
    this.transferMoneyFunction = this.moneyMovementFunction('TransferMoneyFunction', 'transfer-money', {
      description:
        'POST /transfers: moves money between two accounts in one transaction, under their versions',
      environment: commandEnv,
    });

    this.accountPaymentsFunction = new ServiceFunction(this, 'AccountPaymentsFunction', {
      entry: handler('account-payments'),
      service: SERVICE,
      description: "Payments' API: charges an order from a customer's account into the shop's, refunds it",
      timeout: ACCOUNT_PAYMENTS_TIMEOUT,
      environment: queryEnv,
    });
    // Claims, accounts and shop-account pointers: reads, conditional puts, and the accounts' updates.
    this.accountsTable.grant(
      this.accountPaymentsFunction,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    );

    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: props.authorizer,
      routes: [
        { path: '/accounts', method: 'POST', handler: this.openAccountFunction.live },
        { path: '/accounts/{accountId}', method: 'GET', handler: this.getAccountFunction.live },
        { path: '/accounts/{accountId}/deposits', method: 'POST', handler: this.depositMoneyFunction.live },
        { path: '/transfers', method: 'POST', handler: this.transferMoneyFunction.live },
        {
          path: '/accounts/{accountId}/transactions',
          method: 'GET',
          handler: this.listTransactionsFunction.live,
        },
      ],
    });

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      ...(props.syntheticOrderCheck === undefined ? {} : { syntheticOrderCheck: props.syntheticOrderCheck }),
      probedFunctions: [this.accountPaymentsFunction],
      apiFunctions: [
        this.openAccountFunction,
        this.getAccountFunction,
        this.depositMoneyFunction,
        this.transferMoneyFunction,
        this.listTransactionsFunction,
      ],
    });
    this.monitoring.monitorFunctions(
      this.openAccountFunction,
      this.getAccountFunction,
      this.listTransactionsFunction,
      this.depositMoneyFunction,
      this.transferMoneyFunction,
      this.accountPaymentsFunction,
    );
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);
    this.monitoring.addBusinessMetrics('Transfers (sum, 5 min)', [
      TRANSFER_METRICS.made,
      TRANSFER_METRICS.lostRaces,
    ]);
    this.monitoring.addBusinessMetricByDimension(
      'Transfers refused by reason (sum, 5 min)',
      TRANSFER_METRICS.refused,
      'reason',
    );

    new CfnOutput(this, 'AccountsTableName', { value: this.accountsTable.tableName });
  }

  /** Reads an account (and its ledger): `GetItem` and `Query` on the accounts table, nothing else. */
  private queryFunction(
    id: string,
    name: string,
    props: { description: string; environment: Record<string, string> },
  ): ServiceFunction {
    const fn = new ServiceFunction(this, id, { entry: handler(name), service: SERVICE, ...props });
    this.accountsTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:Query');
    return fn;
  }

  /**
   * Reads the accounts and the request's claim, then one `TransactWriteItems` of `Update`s (the
   * accounts, on their versions) and `Put`s (ledger entries, transfer, claim): DynamoDB authorizes a
   * transaction item by item, by each item's action.
   */
  private moneyMovementFunction(
    id: string,
    name: string,
    props: { description: string; environment: Record<string, string> },
  ): ServiceFunction {
    const fn = new ServiceFunction(this, id, {
      entry: handler(name),
      service: SERVICE,
      timeout: MONEY_MOVEMENT_TIMEOUT,
      ...props,
    });
    this.accountsTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    this.idempotencyTable.grantRecords(fn);
    return fn;
  }
}
