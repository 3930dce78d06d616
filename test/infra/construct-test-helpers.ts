import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** An app that does not bundle function code: these tests look at the template, not at the bundles. */
export function unbundledApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export function unbundledStack(): Stack {
  return new Stack(unbundledApp(), 'S');
}

/** A Cognito authorizer on a pool of its own in `stack`, for a context stack built outside the app. */
export function testAuthorizer(stack: Stack): apigateway.CognitoUserPoolsAuthorizer {
  return new apigateway.CognitoUserPoolsAuthorizer(stack, 'TestAuthorizer', {
    cognitoUserPools: [new cognito.UserPool(stack, 'TestUserPool')],
  });
}

/** The accounts context's payment function's name, as a payments stack built outside the app imports it. */
export const TEST_ACCOUNT_PAYMENTS_NAME = 'AccountPayments';

/** Imported in `stack`'s account: invoking it is granted on the caller's role, as in the app. */
export function testAccountPayments(stack: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionAttributes(stack, 'TestAccountPayments', {
    functionArn: stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: TEST_ACCOUNT_PAYMENTS_NAME,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    sameEnvironment: true,
  });
}

type Json = Record<string, unknown>;

/** Every IAM action granted to the role whose logical id starts with `rolePrefix`, sorted. */
export function actionsGrantedTo(template: Template, rolePrefix: string): string[] {
  const actions = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as Json[]) {
    const properties = policy['Properties'] as Json;
    const roles = (properties['Roles'] as Json[]).map((role) => String(role['Ref']));
    if (!roles.some((role) => role.startsWith(rolePrefix))) continue;
    const statements = (properties['PolicyDocument'] as Json)['Statement'] as Json[];
    for (const statement of statements) {
      const action = statement['Action'] as string | string[];
      for (const name of Array.isArray(action) ? action : [action]) actions.add(name);
    }
  }
  return [...actions].sort();
}

/** A context stack's routes go live with the API's one deployment (`ApiStageStack`): none of its own. */
export function expectNoDeploymentOfItsOwn(template: Template): void {
  template.resourceCountIs('AWS::ApiGateway::Deployment', 0);
  template.resourceCountIs('AWS::ApiGateway::Stage', 0);
}
