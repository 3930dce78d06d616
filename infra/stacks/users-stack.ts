import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { USERS_EVENT_SOURCE } from '../../functions/users/contracts';
import { STAFF_GROUP } from '../../shared/http/caller';
import { ContextRoutes } from '../constructs/context-routes';
import { BlueGreenDelivery } from '../constructs/blue-green-delivery';
import { ContextMonitoring, type MonitoringOptions } from '../constructs/context-monitoring';
import { sharedApiStage } from './platform-stack';
import { ContextTable } from '../constructs/context-table';
import { OutboxRelay } from '../constructs/outbox-relay';
import { ServiceFunction } from '../constructs/service-function';

export interface UsersStackProps extends StackProps {
  /**
   * Where the context's alarms notify, the prefix of their names, and their limits.
   * @default a topic of the context's own, the prefix `shop`, ContextMonitoring's limits
   */
  readonly monitoring?: MonitoringOptions;
  /** The platform's public REST API; `GET /users/me` is added to it from this stack. */
  readonly api: apigateway.IRestApi;
  /** The platform's bus, where users publishes `shop.users` events. */
  readonly bus: events.IEventBus;
  /** @default 'shop-users' */
  readonly userPoolName?: string;
}

const SERVICE = 'users';
const handler = (name: string): string => `functions/users/handlers/${name}.handler.ts`;

/**
 * How long Cognito waits for a trigger before it retries it (up to three times) and then fails the
 * operation: a trigger's function has no use for a longer timeout.
 */
const COGNITO_TRIGGER_TIMEOUT = Duration.seconds(5);

/**
 * The users context: the Cognito user pool the platform's identities live in, the users table (the
 * platform's own user id bound to each Cognito `sub`, whose stream is the context's outbox, relayed to
 * the `shop` bus), and `GET /users/me` behind the pool's authorizer.
 *
 * The pool's triggers register a confirmed sign-up as a user (PostConfirmation) and put its user id in
 * every ID token (PreTokenGeneration, claim `custom:userId`). Neither calls Cognito, and neither is given
 * any right on the pool: the pool names the functions, so a function naming the pool would be a circular
 * dependency. Each function may do on the users table just what it does there.
 */
export class UsersStack extends Stack {
  /** The context's dashboard, alarms and guard (docs/patterns/monitoring.md). */
  public readonly monitoring: ContextMonitoring;
  /** The context's routes on the shared API, for the API's deployment (`ApiStageStack`). */
  public readonly routes: ContextRoutes;
  public readonly usersTable: ContextTable;
  public readonly userPool: cognito.UserPool;
  /** The app client of the shop's front ends: username (email) and password, refresh tokens, no secret. */
  public readonly userPoolClient: cognito.UserPoolClient;
  /** Members act as staff (`shared/http/caller.ts`): they may see and serve any customer's resources. */
  public readonly staffGroup: cognito.CfnUserPoolGroup;
  /** Checks the ID token of a request against the pool; protects the users routes, and others' next. */
  public readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  public readonly postConfirmationFunction: ServiceFunction;
  public readonly preTokenGenerationFunction: ServiceFunction;
  public readonly getMeFunction: ServiceFunction;
  public readonly relay: OutboxRelay;

  constructor(scope: Construct, id: string, props: UsersStackProps) {
    super(scope, id, props);
    // The API and bus come in as `Fn::ImportValue`s: CloudFormation then refuses to remove from the
    // platform stack what users still uses.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    // User item `sk = 'user'`, its event item (`kind = 'event'`), and the claims of its Cognito sub and
    // email (`pk = 'sub#…'`, `'email#…'`): see functions/users/adapters/user-items.ts.
    this.usersTable = new ContextTable(this, 'UsersTable', {
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      // Event items expire once long relayed; users and their claims have no expiry.
      timeToLiveAttribute: 'expiresAt',
    });
    const usersEnv = { USERS_TABLE: this.usersTable.tableName };

    // One transaction of four conditional puts (sub claim, email claim, user, event): PutItem only.
    this.postConfirmationFunction = new ServiceFunction(this, 'PostConfirmationFunction', {
      entry: handler('post-confirmation'),
      service: SERVICE,
      description: 'Cognito PostConfirmation: registers a confirmed sign-up as a user (UserRegistered)',
      timeout: COGNITO_TRIGGER_TIMEOUT,
      environment: usersEnv,
    });
    this.usersTable.grant(this.postConfirmationFunction, 'dynamodb:PutItem');

    // One read of the sub's claim per token issued.
    this.preTokenGenerationFunction = new ServiceFunction(this, 'PreTokenGenerationFunction', {
      entry: handler('pre-token-generation'),
      service: SERVICE,
      description: 'Cognito PreTokenGeneration: adds the custom:userId claim to the ID token',
      timeout: COGNITO_TRIGGER_TIMEOUT,
      environment: usersEnv,
    });
    this.usersTable.grant(this.preTokenGenerationFunction, 'dynamodb:GetItem');

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: props.userPoolName ?? 'shop-users',
      selfSignUpEnabled: true,
      // The email is the username (the user's Cognito username is their sub), case-insensitively.
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      lambdaTriggers: {
        postConfirmation: this.postConfirmationFunction.live,
        preTokenGeneration: this.preTokenGenerationFunction.live,
      },
      // Every customer's identity and password: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.userPoolClient = this.userPool.addClient('WebClient', {
      userPoolClientName: 'shop-web',
      // Public clients (browsers, the CLI) cannot keep a secret.
      generateSecret: false,
      // USER_PASSWORD_AUTH, and refresh tokens (always allowed once a flow is named).
      authFlows: { userPassword: true },
      preventUserExistenceErrors: true,
      // No hosted UI (no domain): no OAuth flows, and none of CDK's implicit grant and example.com callback.
      disableOAuth: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    this.staffGroup = new cognito.CfnUserPoolGroup(this, 'StaffGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: STAFF_GROUP,
      description: "Shop staff: may see and serve any customer's resources",
      precedence: 0,
    });

    this.getMeFunction = new ServiceFunction(this, 'GetMeFunction', {
      entry: handler('get-me'),
      service: SERVICE,
      description: 'GET /users/me: the caller, by the user id of their token',
      environment: usersEnv,
    });
    this.usersTable.grant(this.getMeFunction, 'dynamodb:GetItem');

    this.relay = new OutboxRelay(this, 'OutboxRelay', {
      table: this.usersTable,
      entry: handler('outbox-relay'),
      service: SERVICE,
      bus: props.bus,
      source: USERS_EVENT_SOURCE,
    });

    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      authorizerName: 'shop-users',
      cognitoUserPools: [this.userPool],
    });
    this.routes = new ContextRoutes(this, 'Routes', {
      api: props.api,
      authorizer: this.authorizer,
      routes: [{ path: '/users/me', method: 'GET', handler: this.getMeFunction.live }],
    });

    this.monitoring = new ContextMonitoring(this, 'Monitoring', { ...props.monitoring, service: SERVICE });
    // The API's functions go live blue/green, through CodeDeploy (docs/patterns/progressive-delivery.md).
    new BlueGreenDelivery(this, 'BlueGreen', {
      monitoring: this.monitoring,
      apiFunctions: [this.getMeFunction],
      batchFunctions: [this.relay.function],
      probedFunctions: [this.postConfirmationFunction, this.preTokenGenerationFunction],
    });
    this.monitoring.monitorFunctions(
      this.postConfirmationFunction,
      this.preTokenGenerationFunction,
      this.getMeFunction,
    );
    this.monitoring.monitorOutboxRelay(this.relay);
    this.monitoring.monitorRoutes(sharedApiStage(props.api), this.routes.methods);

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'UsersTableName', { value: this.usersTable.tableName });
    new CfnOutput(this, 'OutboxDeadLetterQueueUrl', { value: this.relay.deadLetterQueue.queueUrl });
  }
}
