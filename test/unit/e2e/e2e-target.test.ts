import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { connectE2eTarget, e2eTargetName } from '../../e2e/support/e2e-target';

// No AWS account here: the `aws` target's STS and CloudFormation answers are stood in for.
const sts = mockClient(STSClient);
const cloudFormation = mockClient(CloudFormationClient);

const ACCOUNT = '123456789012';
const awsEnv = { E2E_TARGET: 'aws', AWS_REGION: 'eu-west-1', E2E_AWS_ACCOUNT: ACCOUNT };

const stack = (name: string, outputs: Record<string, string> = {}): Stack => ({
  StackName: name,
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: new Date(0),
  Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
});

beforeEach(() => {
  sts.reset();
  cloudFormation.reset();
});

describe('the e2e target', () => {
  test('is the local cloud unless E2E_TARGET names another; an unknown name is refused', () => {
    expect(e2eTargetName({})).toBe('local');
    expect(e2eTargetName({ E2E_TARGET: 'localstack' })).toBe('localstack');
    expect(() => e2eTargetName({ E2E_TARGET: 'staging' })).toThrow(/names no target: use one of local/);
  });

  test('LocalStack needs its endpoint', async () => {
    await expect(connectE2eTarget({ E2E_TARGET: 'localstack' })).rejects.toThrow(/needs AWS_ENDPOINT_URL/);
  });

  test('AWS needs the account named, and refuses credentials of another account before reading anything', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999' });

    await expect(connectE2eTarget({ ...awsEnv, E2E_AWS_ACCOUNT: undefined })).rejects.toThrow(
      /set E2E_AWS_ACCOUNT/,
    );
    await expect(connectE2eTarget(awsEnv)).rejects.toThrow(
      /account 999999999999, not E2E_AWS_ACCOUNT=123456789012: refusing to run/,
    );
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test('on the account named, finds the app’s outputs page after page, the API URL from the API stage stack', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    cloudFormation
      .on(DescribeStacksCommand, { NextToken: undefined })
      .resolves({
        Stacks: [stack('ShopUsers', { UserPoolId: 'eu-west-1_abc' }), stack('OtherApp')],
        NextToken: 'page-2',
      })
      .on(DescribeStacksCommand, { NextToken: 'page-2' })
      .resolves({
        Stacks: [
          stack('ShopApiStage', { ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/' }),
          stack('ShopPaymentProvider'),
        ],
      });

    const target = await connectE2eTarget(awsEnv);

    expect(target.apiUrl).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/prod');
    expect(target.output('Users', 'UserPoolId')).toBe('eu-west-1_abc');
    expect(() => target.output('Orders', 'PlaceOrderStateMachineArn')).toThrow(
      'The stack ShopOrders has no output PlaceOrderStateMachineArn.',
    );
    expect(target.clientConfig).toEqual({ region: 'eu-west-1' });
  });

  test('refuses a deployment without the sandbox processor (prod): the journeys pay with test tokens', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [stack('ShopApiStage', { ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/' })],
    });

    await expect(connectE2eTarget(awsEnv)).rejects.toThrow(/never on `prod`/);
  });

  test('names the copy of the app with E2E_APP_NAME', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [stack('ShopApiStage', { ApiUrl: 'https://shop/prod/' }), stack('ShopPaymentProvider')],
    });

    await expect(connectE2eTarget({ ...awsEnv, E2E_APP_NAME: 'blue-shop' })).rejects.toThrow(
      /No stack BlueShopApiStage is deployed/,
    );
  });
});
