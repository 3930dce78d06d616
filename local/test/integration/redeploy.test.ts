import { CodeDeployClient, GetDeploymentCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LocalCloud } from '../../src/local-cloud';
import { localClientConfig } from '../../src/testing/client-config';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';

let cloud: LocalCloud;
let codeDeploy: CodeDeployClient;
let lambda: LambdaClient;
let pingFunction: string;
let pingUrl = '';

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud());
  codeDeploy = new CodeDeployClient(localClientConfig(cloud.edgeUrl));
  lambda = new LambdaClient(localClientConfig(cloud.edgeUrl));
  const { apis } = (await (await fetch(`${cloud.apiUrl}/_local/resources`)).json()) as {
    apis: { name: string; urls: string[] }[];
  };
  pingUrl = `${apis.find((api) => api.name === 'fixture-other')?.urls[0] ?? ''}ping`;
  pingFunction =
    cloud.lambda.list().find((fn) => fn.definition.env?.RELEASE !== undefined)?.definition.name ?? '';
}, 120_000);

afterAll(async () => {
  codeDeploy?.destroy();
  lambda?.destroy();
  await cloud?.stop();
});

async function release(): Promise<string> {
  const response = await fetch(pingUrl);
  return ((await response.json()) as { release: string }).release;
}

/** Follows a deployment to its end, remembering every routing of the alias seen on the way. */
async function followDeployment(deploymentId: string): Promise<{ info: DeploymentInfo; weights: string[] }> {
  const weights = new Set<string>();
  const info = await eventually(
    async () => {
      // The status first: once it has ended, the alias read after it is the final routing.
      const { deploymentInfo } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
      const alias = await lambda.send(new GetAliasCommand({ FunctionName: pingFunction, Name: 'live' }));
      weights.add(
        `${alias.FunctionVersion} ${JSON.stringify(alias.RoutingConfig?.AdditionalVersionWeights ?? {})}`,
      );
      return ['Succeeded', 'Failed', 'Stopped'].includes(deploymentInfo?.status ?? '')
        ? deploymentInfo
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `deployment ${deploymentId} to end` },
  );
  return { info: info ?? {}, weights: [...weights] };
}

describe('deploying a change into the running cloud', () => {
  test('a new version goes live through the alias’s CodeDeploy canary, its traffic hook passing', async () => {
    // Prepare
    expect(await release()).toBe('one');

    // Act
    const report = await cloud.deploy({ 'fixture:release': 'two' });
    const deploymentId = report.aliases[0]?.deploymentId ?? '';
    const { info, weights } = await followDeployment(deploymentId);

    // Assess
    expect(report.functionsUpdated).toEqual([pingFunction]);
    expect(report.versionsPublished).toEqual([{ functionName: pingFunction, version: '2' }]);
    expect(report.aliases).toEqual([
      { functionName: pingFunction, aliasName: 'live', fromVersion: '1', toVersion: '2', deploymentId },
    ]);
    expect(report.notApplied).toEqual([]);
    expect(info.status).toBe('Succeeded');
    // The canary: 10 % on the new version first, then all of it.
    expect(weights).toContain('1 {"2":0.1}');
    expect(weights.at(-1)).toBe('2 {}');
    expect(await release()).toBe('two');
  });

  test('a failing pre-traffic hook fails the deployment: the new version never takes traffic', async () => {
    // Act
    const report = await cloud.deploy({ 'fixture:release': 'three', 'fixture:hook': 'Failed' });
    const deploymentId = report.aliases[0]?.deploymentId ?? '';
    const { info, weights } = await followDeployment(deploymentId);

    // Assess: the hook function changed too (its status), and only Ping got a version.
    expect(report.functionsUpdated).toHaveLength(2);
    expect(report.versionsPublished).toEqual([{ functionName: pingFunction, version: '3' }]);
    expect(info.status).toBe('Failed');
    expect(weights).toEqual(['2 {}']);
    expect(await release()).toBe('two');
  });

  test('the same templates again update nothing, and a malformed request is refused', async () => {
    // Act
    const unchanged = await cloud.deploy({ 'fixture:release': 'three', 'fixture:hook': 'Failed' });
    const refused = await fetch(`${cloud.apiUrl}/_local/deploy`, {
      method: 'POST',
      body: JSON.stringify({ context: 'not an object' }),
    });

    // Assess: the same templates again: nothing to update, the alias still short of its target.
    expect(unchanged.functionsUpdated).toEqual([]);
    expect(unchanged.versionsPublished).toEqual([]);
    expect(refused.status).toBe(400);
  });
});
