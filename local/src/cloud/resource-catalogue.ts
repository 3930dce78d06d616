/**
 * Which CloudFormation resource types the local cloud runs, which it accepts without a local effect,
 * and (by elimination) which it does not support — so nothing in a template is silently ignored.
 */

/** Types a local engine runs. */
export const EMULATED_TYPES: ReadonlySet<string> = new Set([
  'AWS::DynamoDB::Table',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Authorizer',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::StepFunctions::StateMachine',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolGroup',
  'AWS::SSM::Parameter',
  'AWS::Scheduler::Schedule',
  'AWS::Scheduler::ScheduleGroup',
  'AWS::ServiceDiscovery::HttpNamespace',
  'AWS::ServiceDiscovery::Service',
  'AWS::ServiceDiscovery::Instance',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::CodeDeploy::Application',
  'AWS::CodeDeploy::DeploymentGroup',
  'AWS::CodeDeploy::DeploymentConfig',
]);

/** Types that exist on AWS but change nothing in how the system behaves locally, and why. */
export const ACCEPTED_WITHOUT_EFFECT: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'IAM is not enforced locally',
  'AWS::IAM::Policy': 'IAM is not enforced locally',
  'AWS::IAM::ManagedPolicy': 'IAM is not enforced locally',
  'AWS::Lambda::Permission': 'resource policies are not enforced locally',
  'AWS::SQS::QueuePolicy': 'resource policies are not enforced locally',
  'AWS::Events::EventBusPolicy': 'resource policies are not enforced locally',
  'AWS::Logs::LogGroup': 'function logs go to the console and /_local/invocations',
  'AWS::SNS::TopicPolicy': 'resource policies are not enforced locally',
  'AWS::CDK::Metadata': 'CDK bookkeeping',
  'AWS::ApiGateway::Account': 'API Gateway account settings (CloudWatch role)',
  'AWS::WAFv2::WebACL': 'AWS WAF is not emulated: requests reach the API unfiltered',
  'AWS::WAFv2::WebACLAssociation': 'AWS WAF is not emulated: requests reach the API unfiltered',
};

export type ResourceSupport = 'emulated' | 'accepted' | 'unsupported';

export function supportOf(type: string): ResourceSupport {
  if (EMULATED_TYPES.has(type)) return 'emulated';
  if (type in ACCEPTED_WITHOUT_EFFECT) return 'accepted';
  return 'unsupported';
}
