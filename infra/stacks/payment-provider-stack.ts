import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { INSTANCE_ATTRIBUTES } from '../../shared/discovery/service-instance';
import { ApiStageLogging } from '../constructs/api-stage-logging';
import { ServiceFunction } from '../constructs/service-function';
import { BlueGreenDelivery } from '../constructs/blue-green-delivery';
import { ContextMonitoring, type MonitoringOptions } from '../constructs/context-monitoring';

export interface PaymentProviderStackProps extends StackProps {
  /**
   * How long `tok_timeout` (and each replay of it) holds its answer back: longer than any client's
   * timeout. Becomes `HANG_MS`; the charge function's timeout is the hang plus 10 s. At most 19 s, so
   * the held answer still comes within API Gateway's 29 s integration timeout.
   * @default Duration.seconds(10)
   */
  readonly hangTime?: Duration;
  /**
   * The card processor's service in Cloud Map (`PaymentsStack.processorService`): each of the
   * sandbox's two instances registers there with its `url`, `healthUrl`, `zone`, `weight` and `version`.
   * @default - not registered
   */
  readonly processorService?: servicediscovery.IService;
  /**
   * Where the sandbox's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the sandbox's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
}

/** The sandbox's two instances: two stages of its API, standing for two zones. */
export const PROVIDER_INSTANCES = [
  { instanceId: 'zone-a', stageName: 'prod' },
  { instanceId: 'zone-b', stageName: 'zone-b' },
] as const;

const SERVICE = 'payment-provider';
const handler = (name: string): string => `functions/payment-provider/handlers/${name}.handler.ts`;
/**
 * What the charge function needs beyond the hang: a few ledger reads and writes, on code paths that may
 * run for the first time in the container (mapping a first error's stack through the source map alone
 * takes a few hundred milliseconds).
 */
const TIMEOUT_MARGIN = Duration.seconds(10);
/** API Gateway's integration timeout, less the margin: the held answer still reaches the client. */
const MAX_HANG = Duration.seconds(19);

/**
 * The simulated third-party card processor: a system outside ours, with its own REST API
 * (`payment-provider-api`) and its own ledger table, sharing nothing with the platform's stacks. Its
 * behaviour is chosen by test tokens (see `functions/payment-provider`). It runs as two instances — the
 * API's stages `prod` (zone a) and `zone-b`, one ledger behind both, as a processor's regions share
 * their records — each registered in Cloud Map with its own `GET /health`, so that payments discovers
 * them and fails over from one that is down (docs/patterns/service-discovery.md).
 */
export class PaymentProviderStack extends Stack {
  /** The ledger's global secondary index on `orderId` (sort key `createdAt`); only charge items carry `orderId`. */
  static readonly ORDER_INDEX_NAME = 'byOrderId';

  public readonly api: apigateway.RestApi;
  /** Charges, refunds and Idempotency-Key records (`functions/payment-provider/adapters/ledger-items.ts`). */
  public readonly ledgerTable: dynamodb.Table;
  public readonly createChargeFunction: ServiceFunction;
  public readonly listChargesFunction: ServiceFunction;
  public readonly getChargeFunction: ServiceFunction;
  public readonly createRefundFunction: ServiceFunction;
  /** The `tok_timeout` hang, as configured. */
  public readonly hangTime: Duration;
  /** The second instance's stage (`zone-b`); the first is the API's deployment stage, `prod`. */
  public readonly zoneBStage: apigateway.Stage;
  /** The sandbox's dashboard, alarms and guard, as a context's (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;

  constructor(scope: Construct, id: string, props: PaymentProviderStackProps = {}) {
    super(scope, id, props);
    this.hangTime = props.hangTime ?? Duration.seconds(10);
    const hangMs = this.hangTime.toMilliseconds();
    if (!(hangMs >= 0 && hangMs <= MAX_HANG.toMilliseconds())) {
      throw new Error(
        `PaymentProviderStack ${id}: hangTime must be from 0 to ${MAX_HANG.toSeconds()} seconds, not ${this.hangTime.toHumanString()}, ` +
          "so that the held answer still comes within API Gateway's 29 s integration timeout.",
      );
    }

    this.ledgerTable = new dynamodb.Table(this, 'LedgerTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Idempotency-Key records expire a day after first use; charges and refunds never expire.
      timeToLiveAttribute: 'expiresAt',
      // Every table can be restored to any second of the last 35 days, whatever it holds.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // A simulator's ledger: nothing in it is worth keeping past the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.ledgerTable.addGlobalSecondaryIndex({
      indexName: PaymentProviderStack.ORDER_INDEX_NAME,
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
    });

    const ledgerEnv = { LEDGER_TABLE: this.ledgerTable.tableName };
    const ledgerWrites = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

    this.createChargeFunction = new ServiceFunction(this, 'CreateChargeFunction', {
      entry: handler('create-charge'),
      service: SERVICE,
      description: 'POST /v1/charges: charges a test token, once per Idempotency-Key',
      // Above the hang: a tok_timeout request must end in its (late) answer, not in a Lambda timeout.
      timeout: Duration.seconds(
        Math.ceil(this.hangTime.toMilliseconds() / 1000) + TIMEOUT_MARGIN.toSeconds(),
      ),
      environment: { ...ledgerEnv, HANG_MS: String(hangMs) },
    });
    this.ledgerTable.grant(this.createChargeFunction, ...ledgerWrites);

    this.createRefundFunction = new ServiceFunction(this, 'CreateRefundFunction', {
      entry: handler('create-refund'),
      service: SERVICE,
      description: 'POST /v1/charges/{chargeId}/refunds: refunds a charge, never past its amount',
      // Room for the bounded re-plans of a charge that concurrent refunds keep changing.
      timeout: Duration.seconds(15),
      environment: ledgerEnv,
    });
    this.ledgerTable.grant(this.createRefundFunction, ...ledgerWrites);

    this.getChargeFunction = new ServiceFunction(this, 'GetChargeFunction', {
      entry: handler('get-charge'),
      service: SERVICE,
      description: 'GET /v1/charges/{chargeId}: one charge with what is refunded of it',
      environment: ledgerEnv,
    });
    this.ledgerTable.grant(this.getChargeFunction, 'dynamodb:GetItem');

    this.listChargesFunction = new ServiceFunction(this, 'ListChargesFunction', {
      entry: handler('list-charges'),
      service: SERVICE,
      description: 'GET /v1/charges?orderId=: the charges of an order',
      environment: { ...ledgerEnv, LEDGER_ORDER_INDEX: PaymentProviderStack.ORDER_INDEX_NAME },
    });
    this.ledgerTable.grant(this.listChargesFunction, 'dynamodb:Query');

    this.api = new apigateway.RestApi(this, 'ProviderApi', {
      restApiName: 'payment-provider-api',
      description: 'The simulated card processor',
      deployOptions: {
        stageName: 'prod',
        tracingEnabled: true,
        metricsEnabled: true,
        // A sandbox, yet a shared one: no client may flood it for the others.
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        // Execution logs use the account's API Gateway role, which the platform's API sets.
        ...new ApiStageLogging(this, 'ProviderApiLogging').deployOptions,
      },
      cloudWatchRole: false,
    });
    const integration = (fn: ServiceFunction) => new apigateway.LambdaIntegration(fn.live);
    const charges = this.api.root.addResource('v1').addResource('charges');
    charges.addMethod('POST', integration(this.createChargeFunction));
    charges.addMethod('GET', integration(this.listChargesFunction));
    const charge = charges.addResource('{chargeId}');
    charge.addMethod('GET', integration(this.getChargeFunction));
    charge.addResource('refunds').addMethod('POST', integration(this.createRefundFunction));
    // What the platform's health checker probes on each instance: answered by API Gateway alone.
    this.api.root.addResource('health').addMethod(
      'GET',
      new apigateway.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': '{"status":"ok"}' } },
        ],
      }),
      { methodResponses: [{ statusCode: '200' }] },
    );

    this.zoneBStage = new apigateway.Stage(this, 'ZoneBStage', {
      deployment: this.deploymentOf(this.api),
      stageName: 'zone-b',
      tracingEnabled: true,
      metricsEnabled: true,
      throttlingRateLimit: 100,
      throttlingBurstLimit: 200,
      ...new ApiStageLogging(this, 'ZoneBLogging').deployOptions,
    });
    for (const { instanceId, stageName } of PROVIDER_INSTANCES) {
      const url = `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${stageName}/`;
      if (props.processorService === undefined) continue;
      new servicediscovery.NonIpInstance(this, `Instance-${instanceId}`, {
        service: props.processorService,
        instanceId,
        customAttributes: {
          [INSTANCE_ATTRIBUTES.url]: url,
          [INSTANCE_ATTRIBUTES.healthUrl]: `${url}health`,
          [INSTANCE_ATTRIBUTES.zone]: instanceId,
          [INSTANCE_ATTRIBUTES.weight]: '1',
          [INSTANCE_ATTRIBUTES.version]: '1',
        },
      });
    }

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      apiFunctions: [
        this.createChargeFunction,
        this.listChargesFunction,
        this.getChargeFunction,
        this.createRefundFunction,
      ],
    });
    this.monitoring.monitorFunctions(
      this.createChargeFunction,
      this.createRefundFunction,
      this.getChargeFunction,
      this.listChargesFunction,
    );
    // tok_timeout holds its answer for the hang on purpose: only a latency beyond it is the sandbox's own.
    const latencyP99 = Duration.millis(
      Math.max(props.monitoring?.thresholds?.apiLatencyP99?.toMilliseconds() ?? 3_000, hangMs + 2_000),
    );
    for (const { stageName } of PROVIDER_INSTANCES) {
      this.monitoring.monitorApiStage({ apiName: this.api.restApiName, stageName }, latencyP99);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'ZoneBApiUrl', { value: this.zoneBStage.urlForPath('/') });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledgerTable.tableName });
  }

  /** The deployment the API's own stage (`prod`) serves: the second instance serves the same routes. */
  private deploymentOf(api: apigateway.RestApi): apigateway.Deployment {
    if (api.latestDeployment === undefined)
      throw new Error('The processor API must deploy itself (deploy: true).');
    return api.latestDeployment;
  }
}
