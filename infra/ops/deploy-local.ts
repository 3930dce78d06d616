/**
 * `npm run deploy:local -- [-c key=value …] [--bake <seconds>] [--no-rollout]`: deploys the app as it
 * is now into the running local cloud (`npm start`), as `cdk deploy` would: functions delivered all at
 * once go live with their new version; each function delivered by canary gets its new version
 * published, its `live` alias held where it is (`shop:liveVersions`), and a canary rollout started and
 * followed (1 → 5 → 10 → 50 → 100 %, approval at 50 % by staff: `POST /deployments/{rolloutId}/approval`).
 * Exits 1 when a rollout does not succeed.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { GetDeploymentCommand, type CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { eventually, localClientConfig, type RedeployReport } from 'cdk-local-cloud';
import { LIVE_VERSIONS_CONTEXT } from '../constructs/service-function';
import {
  canaryDeployment,
  liveVersions,
  newCanaryVersions,
  rollOutCanaries,
  type CanaryDeployment,
  type CanaryTarget,
} from './canary-rollouts';
import { contextValues, DEPLOY_OPTIONS, runCommand } from './cli';
import { shopClients, stackOutputs, type ShopClients } from './shop-clients';
import { shopUserPool, signUpAndSignIn } from './shop-users';
import { ensureSyntheticCheck } from './synthetic-check';

/**
 * The synthetic customer the orders context's after-traffic hooks place their order as, made on the
 * first deployment into this cloud (with a staff member of its own, who creates its product).
 */
export async function ensureLocalSyntheticCheck(apiUrl: string, clients: ShopClients): Promise<void> {
  const outputs = await stackOutputs(clients.cloudFormation);
  const pool = shopUserPool(outputs);
  await ensureSyntheticCheck({
    ssm: clients.ssm,
    cognito: clients.config,
    pool,
    apiUrl,
    staff: () =>
      signUpAndSignIn(clients.config, pool, {
        email: `synthetic-check-staff.${randomUUID()}@example.com`,
        staff: true,
      }),
  });
}

/**
 * Deploys into the local cloud at `apiUrl` with `context`, the canaries held on their live versions;
 * answers the cloud's report and the canaries that got a new version.
 */
export async function deployHoldingCanaries(
  apiUrl: string,
  clients: ShopClients,
  context: Readonly<Record<string, string>>,
): Promise<{
  report: RedeployReport;
  /** How each blue/green deployment ended, by CodeDeploy deployment id. */
  blueGreen: Record<string, string>;
  rollouts: {
    canary: CanaryTarget;
    targetVersion: string;
  }[];
  deployment: CanaryDeployment;
}> {
  await ensureLocalSyntheticCheck(apiUrl, clients);
  const deployment = await canaryDeployment(clients.cloudFormation);
  const held = await liveVersions(clients.lambda, deployment.canaries);
  const response = await fetch(`${apiUrl}/_local/deploy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ context: { ...context, [LIVE_VERSIONS_CONTEXT]: JSON.stringify(held) } }),
  });
  const body = (await response.json()) as RedeployReport & { message?: string };
  if (!response.ok)
    throw new Error(`The local cloud refused the deployment: ${body.message ?? response.status}`);
  // As `cdk deploy`, which ends when CodeDeploy has taken every blue/green alias (or rolled it back).
  const blueGreen = await deploymentsEnded(
    clients.codeDeploy,
    body.aliases.flatMap((alias) => (alias.deploymentId === undefined ? [] : [alias.deploymentId])),
  );
  const rollouts = await newCanaryVersions(clients.lambda, deployment.canaries, held);
  return { report: body, blueGreen, rollouts, deployment };
}

/** How each CodeDeploy deployment ended, by id, once all have (`Succeeded`, `Failed` or `Stopped`). */
export async function deploymentsEnded(
  codeDeploy: CodeDeployClient,
  deploymentIds: readonly string[],
  { timeoutMs = 10 * 60_000, intervalMs = 250 } = {},
): Promise<Record<string, string>> {
  const ended: Record<string, string> = {};
  return eventually(
    async () => {
      for (const deploymentId of deploymentIds.filter((id) => ended[id] === undefined)) {
        const { deploymentInfo } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
        const status = deploymentInfo?.status ?? '';
        if (['Succeeded', 'Failed', 'Stopped'].includes(status)) ended[deploymentId] = status;
      }
      return Object.keys(ended).length === deploymentIds.length ? ended : undefined;
    },
    { timeoutMs, intervalMs, what: 'the CodeDeploy deployments to end' },
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: DEPLOY_OPTIONS,
  });
  const apiUrl = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const health = await fetch(`${apiUrl}/_local/health`).catch(() => undefined);
  if (health === undefined || !health.ok)
    throw new Error(`No local cloud answers at ${apiUrl}: run "npm start" first.`);
  const { edgeUrl } = (await health.json()) as { edgeUrl: string };
  const clients = shopClients(localClientConfig(edgeUrl));
  try {
    const { report, blueGreen, rollouts, deployment } = await deployHoldingCanaries(
      apiUrl,
      clients,
      contextValues(values.context ?? []),
    );
    for (const name of report.functionsUpdated) console.log(`updated   ${name}`);
    for (const { functionName, version } of report.versionsPublished)
      console.log(`published ${functionName} version ${version}`);
    for (const a of report.aliases)
      console.log(
        `live      ${a.functionName}: ${a.fromVersion} → ${a.toVersion} ` +
          (a.deploymentId === undefined
            ? '(at once)'
            : `(blue/green: CodeDeploy ${a.deploymentId}, ${blueGreen[a.deploymentId] ?? ''})`),
      );
    for (const line of report.notApplied) console.log(`not applied (restart the local cloud): ${line}`);
    if (values['no-rollout']) return;
    const succeeded = await rollOutCanaries(clients, deployment, rollouts, {
      bakeSeconds: values.bake === undefined ? 5 : Number(values.bake),
      approvalUrl: (rolloutId) => `${apiUrl}/deployments/${rolloutId}/approval`,
      log: (line) => console.log(line),
    });
    if (!succeeded) process.exitCode = 1;
  } finally {
    clients.destroy();
  }
}

runCommand(module, main);
