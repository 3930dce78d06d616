/** CodeDeploy's request validation: the exception of the first failing member, and the Lambda AppSpec. */
import { AwsServiceError } from '../../../src/aws-protocol';
import {
  createDeploymentRequest,
  listDeploymentsRequest,
  putLifecycleEventHookExecutionStatusRequest,
  readCodeDeployRequest,
  readLambdaAppSpec,
} from '../../../src/codedeploy/codedeploy-requests';
import { appSpec } from './codedeploy-fakes';

function refusalOf(read: () => unknown): { code: string; message: string } {
  try {
    read();
  } catch (error) {
    if (error instanceof AwsServiceError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the request was read');
}

const revision = { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec() } };

describe('readCodeDeployRequest', () => {
  test.each([
    [{ deploymentGroupName: 'g', revision }, 'ApplicationNameRequiredException'],
    [
      { applicationName: 'a'.repeat(101), deploymentGroupName: 'g', revision },
      'InvalidApplicationNameException',
    ],
    [{ applicationName: 'shop', revision }, 'DeploymentGroupNameRequiredException'],
    [{ applicationName: 'shop', deploymentGroupName: 'g' }, 'RevisionRequiredException'],
    [
      { applicationName: 'shop', deploymentGroupName: 'g', revision: { revisionType: 'Zip' } },
      'InvalidRevisionException',
    ],
    [
      { applicationName: 'shop', deploymentGroupName: 'g', revision, description: 'x'.repeat(5001) },
      'DescriptionTooLongException',
    ],
    [
      {
        applicationName: 'shop',
        deploymentGroupName: 'g',
        revision,
        autoRollbackConfiguration: { events: ['NEVER'] },
      },
      'InvalidAutoRollbackConfigException',
    ],
    [
      {
        applicationName: 'shop',
        deploymentGroupName: 'g',
        revision,
        overrideAlarmConfiguration: { alarms: [{ name: 'a' }, { name: 'a' }] },
      },
      'InvalidAlarmConfigException',
    ],
  ])('CreateDeployment %j is refused with %s', (input, code) => {
    expect(refusalOf(() => readCodeDeployRequest(createDeploymentRequest, input)).code).toBe(code);
  });

  test('a hook may report only Succeeded or Failed', () => {
    const refused = refusalOf(() =>
      readCodeDeployRequest(putLifecycleEventHookExecutionStatusRequest, {
        deploymentId: 'd-ABCDEFGHI',
        lifecycleEventHookExecutionId: 'x',
        status: 'Skipped',
      }),
    );
    expect(refused.code).toBe('InvalidLifecycleEventHookExecutionStatusException');
  });

  test('ListDeployments refuses an unknown status and a time range that ends before it starts', () => {
    expect(
      refusalOf(() => readCodeDeployRequest(listDeploymentsRequest, { includeOnlyStatuses: ['Done'] })).code,
    ).toBe('InvalidDeploymentStatusException');
    expect(
      refusalOf(() =>
        readCodeDeployRequest(listDeploymentsRequest, { createTimeRange: { start: 20, end: 10 } }),
      ).code,
    ).toBe('InvalidTimeRangeException');
  });

  test('a valid request is read as given', () => {
    expect(
      readCodeDeployRequest(createDeploymentRequest, {
        applicationName: 'shop',
        deploymentGroupName: 'g',
        revision,
      }),
    ).toEqual({
      applicationName: 'shop',
      deploymentGroupName: 'g',
      revision,
    });
  });
});

describe('readLambdaAppSpec', () => {
  test('reads the alias, the versions and the hooks of an AppSpecContent or a String revision', () => {
    const expected = {
      resourceName: 'orders',
      functionName: 'orders',
      alias: 'live',
      currentVersion: '1',
      targetVersion: '2',
      beforeAllowTraffic: 'pre',
      afterAllowTraffic: 'post',
    };
    const content = appSpec({ before: 'pre', after: 'post' });
    expect(readLambdaAppSpec({ revisionType: 'AppSpecContent', appSpecContent: { content } })).toEqual(
      expected,
    );
    expect(readLambdaAppSpec({ revisionType: 'String', string: { content } })).toEqual(expected);
  });

  test('numeric versions are read as Lambda names them', () => {
    const content = appSpec().replace('"CurrentVersion":"1"', '"CurrentVersion":1');
    expect(
      readLambdaAppSpec({ revisionType: 'AppSpecContent', appSpecContent: { content } }).currentVersion,
    ).toBe('1');
  });

  test.each([
    [
      { revisionType: 'AppSpecContent', appSpecContent: { content: 'version: 0.0\nResources: []' } },
      /does not parse YAML/,
    ],
    [{ revisionType: 'S3', s3Location: { bucket: 'b' } }, /not from S3/],
    [{ revisionType: 'AppSpecContent', appSpecContent: {} }, /no AppSpec content/],
    [
      { revisionType: 'String', string: { content: JSON.stringify({ version: 0, Resources: [] }) } },
      /exactly one AWS::Lambda::Function/,
    ],
    [
      {
        revisionType: 'String',
        string: { content: appSpec().replace('"TargetVersion":"2"', '"TargetVersion":"1"') },
      },
      /are both 1/,
    ],
    [
      {
        revisionType: 'String',
        string: { content: appSpec().replace('"Hooks":[]', '"Hooks":[{"BeforeInstall":"x"}]') },
      },
      /Hooks/,
    ],
  ] as const)('%j is refused as an invalid revision', (revisionLocation, message) => {
    const refused = refusalOf(() => readLambdaAppSpec(revisionLocation));
    expect(refused.code).toBe('InvalidRevisionException');
    expect(refused.message).toMatch(message);
  });
});
