import type { Stage } from '../app-settings';
import type { Acknowledgment } from './acknowledged-checks';

/**
 * Every cdk-nag finding (AwsSolutions and Serverless packs) this app accepts, with its reason: the one
 * place to read them. `test/infra/cdk-nag.test.ts` synthesizes every stage with the packs and fails on
 * a finding none of these covers, and on an acknowledgment that covers nothing any more.
 */
export const ACKNOWLEDGMENTS: readonly Acknowledgment[] = [
  // ---- IAM -----------------------------------------------------------------------------------------
  {
    rule: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    at: /\/(ServiceRole|StateMachine\/Role)\/DefaultPolicy\/Resource$/,
    reason:
      'X-Ray (PutTraceSegments, PutTelemetryRecords) and Step Functions log delivery (logs:*LogDelivery*) ' +
      'take no resource-level permissions: their actions are allowed on "*" only.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:servicediscovery:<AWS::Region>:<AWS::AccountId>:service\/\*\]$/,
    at: /^\w+Platform\/HealthCheckFunction\/ServiceRole\/DefaultPolicy\/Resource$/,
    reason:
      "The health checker sets the health of every service's instances in the platform's namespace; the " +
      'services are created by the context stacks after it, with generated ids, so it names them by pattern.',
  },
  {
    rule: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/,
    at: /\/ServiceRole\/Resource$/,
    reason:
      "AWS's minimal Lambda policy (create its log streams, put log events), kept up to date by AWS; each " +
      'function logs to a log group of its own (ServiceFunction).',
  },
  {
    rule: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AmazonAPIGatewayPushToCloudWatchLogs\]$/,
    at: /^\w+Platform\/ShopApi\/CloudWatchRole\/Resource$/,
    reason: "API Gateway's account-wide role for execution and access logs: AWS's policy for exactly that.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/index\/\*\]$/,
    at: /\/DefaultPolicy\/Resource$/,
    reason:
      "Reads of a table's own indexes (the read model's byUser, the ledger's byOrder): CDK's table grants " +
      'name them as <table>/index/*.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<PlaceOrderSagaStateMachine\w+\.Name>:\*\]$/,
    at: /^\w+Orders\/GetOrderFunction\/ServiceRole\/DefaultPolicy\/Resource$/,
    reason:
      "GET /orders/{orderId} describes the order's saga execution: the executions of the one PlaceOrder " +
      'machine, named after their orders.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:[A-Z]\w*\*:[\w-]+\]$/,
    at: /^\w+Operations\/RolloutStepFunction\/ServiceRole\/DefaultPolicy\/Resource$/,
    reason:
      "The canary rollout controller reads and moves the 'live' alias (GetAlias, UpdateAlias) of whichever " +
      "function a rollout names: the app's functions, named by CloudFormation after their stacks, so by the " +
      "app's stack-name prefix (Shop*) and the alias, not the account's functions.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:[\w-]+\*\]$/,
    at: /^\w+Operations\/RolloutStepFunction\/ServiceRole\/DefaultPolicy\/Resource$/,
    reason:
      'The canary rollout controller reads the states of the alarms a rollout names (DescribeAlarms): the ' +
      "app's own, named with its prefix (shop-*) or by CloudFormation after their stacks (Shop*).",
  },

  {
    rule: /^AwsSolutions-IAM5\[Resource::<\w+\.Arn>:\*\]$/,
    at: /\/BlueGreen\/(\w+TrafficHook\/ServiceRole|\w+Deployment\/ServiceRole)\/DefaultPolicy\/Resource$/,
    reason:
      'Blue/green deployments: the before-traffic hook invokes the version a deployment brings by its ' +
      'number (<function>:<version>), unknown until then, and CodeDeploy invokes the hooks the same way; ' +
      "CDK's grantInvoke names the function and its qualifiers.",
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:codedeploy:<AWS::Region>:<AWS::AccountId>:deploymentgroup:<BlueGreenApplication\w+>\/\*\]$/,
    at: /\/BlueGreen\/\w+TrafficHook\/ServiceRole\/DefaultPolicy\/Resource$/,
    reason:
      "The traffic hooks read the target of whichever deployment of the stack's CodeDeploy application " +
      'invokes them (ListDeploymentTargets, GetDeploymentTarget): its deployment groups, one per function.',
  },
  {
    rule: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSCodeDeployRoleForLambdaLimited\]$/,
    at: /\/BlueGreen\/\w+Deployment\/ServiceRole\/Resource$/,
    reason:
      "CodeDeploy's own policy for Lambda deployments (update the alias, invoke the hooks, read the alarms), " +
      "kept by AWS; what CDK's LambdaDeploymentGroup gives its service role.",
  },

  // ---- Lambda --------------------------------------------------------------------------------------
  {
    rule: /^AwsSolutions-L1$/,
    at: /./,
    reason:
      'Node.js 22 is pinned: the runtime the local cloud emulates and every suite runs against; a newer one ' +
      'is adopted with both (cdk.json keeps useLatestRuntimeVersion off).',
  },
  {
    rule: /^Serverless-LambdaDLQ$/,
    at: /./,
    reason:
      'No function is invoked asynchronously by a caller that leaves failures to Lambda: API Gateway, Step ' +
      'Functions and Cognito invoke synchronously; SQS queues and stream mappings dead-letter on their own ' +
      '(redrive policies, on-failure destinations) and EventBridge targets have target dead-letter queues.',
  },
  {
    rule: /^Serverless-LambdaLatestVersion$/,
    at: /./,
    reason:
      'Functions are deployed without versions or aliases until progressive delivery (canary, blue/green) ' +
      'lands with its alarms.',
  },
  {
    rule: /^Serverless-LambdaEventSourceMappingDestination$/,
    at: /\/(Queue|ProjectionQueue)\/|SqsEventSource/,
    reason:
      'SQS mappings: a message that keeps failing goes to its queue’s dead-letter queue (redrive policy, ' +
      'maxReceiveCount); Lambda has no on-failure destination for SQS.',
  },

  // ---- SQS -----------------------------------------------------------------------------------------
  {
    rule: /^(AwsSolutions-SQS3|Serverless-SQSRedrivePolicy)$/,
    at: /(DeadLetterQueue|ParkedSagas)\/Resource$/,
    reason:
      'A dead-letter queue (DeadLetterQueue): where failures end, kept 14 days for an operator to redrive; ' +
      'it has no dead-letter queue of its own.',
  },

  // ---- API Gateway ---------------------------------------------------------------------------------
  {
    rule: /^AwsSolutions-APIG2$/,
    at: /\/(ShopApi|ProviderApi)\/Resource$/,
    reason:
      "Every function validates its request (zod schemas, shared/http) and answers ARCHITECTURE.md §4's " +
      'error body naming each field; an API Gateway validator would refuse in a shape of its own.',
  },
  {
    rule: /^AwsSolutions-APIG3$/,
    at: /^\w+ApiStage\/Stage\/Resource$/,
    stages: ['local', 'dev'],
    reason:
      'A web ACL (AWS managed common rules) protects the API in the prod stage (ApiStageStack webAcl); ' +
      'the local and dev stages go without its cost.',
  },
  {
    rule: /^AwsSolutions-APIG3$/,
    at: /^\w+PaymentProvider\/(ProviderApi\/DeploymentStage\.prod|ZoneBStage)\/Resource$/,
    reason: 'The sandbox card processor (never in prod) goes without a web ACL, on either of its stages.',
  },
  {
    rule: /^(AwsSolutions-APIG4|AwsSolutions-COG4)$/,
    at: /^\w+Platform\/ShopApi\/Default\/health\/GET\/Resource$/,
    reason: 'GET /health is the liveness probe of the API: public on purpose, it reads and returns nothing.',
  },
  {
    rule: /^(AwsSolutions-APIG4|AwsSolutions-COG4)$/,
    at: /^\w+PaymentProvider\/ProviderApi\//,
    reason:
      "The sandbox card processor stands for a third party's API outside prod (never deployed there); its " +
      'callers are the payments functions, and it holds test tokens only.',
  },

  // ---- Cognito -------------------------------------------------------------------------------------
  {
    rule: /^AwsSolutions-COG1$/,
    at: /^\w+Users\/UserPool\/Resource$/,
    reason:
      'Passwords of at least 12 characters with upper and lower case letters and digits; no symbol is ' +
      'required, as NIST SP 800-63B advises length over composition rules.',
  },
  {
    rule: /^AwsSolutions-COG2$/,
    at: /^\w+Users\/UserPool\/Resource$/,
    reason:
      "A shop's customers sign in with a password; MFA is a product decision left to the deployment (the " +
      'pool is one construct, UsersStack).',
  },
  {
    rule: /^AwsSolutions-COG8$/,
    at: /^\w+Users\/UserPool\/Resource$/,
    reason: "Cognito's Plus feature plan (threat protection) is a cost decision left to the deployment.",
  },
];

/** The acknowledgments that hold in `stage`. */
export function acknowledgmentsAt(stage: Stage): readonly Acknowledgment[] {
  return ACKNOWLEDGMENTS.filter((acknowledgment) => acknowledgment.stages?.includes(stage) ?? true);
}
