/**
 * `npm run rollout:gate -- [--assembly cdk.out] [--first-deploy]`: the rollout gate (see
 * `rollout-guards.ts`). Prints one line per stack of the assembly and exits 1 when the rollout must not
 * start: a stack's alarms without a guard, a guard in ALARM, or a guard not in the account.
 *
 * It talks to CloudWatch as the AWS CLI does (credentials and Region from the environment or the
 * profile); `AWS_ENDPOINT_URL=http://127.0.0.1:4566` points it at the local cloud. Synthesize first
 * (`npx cdk synth`) so that `cdk.out` is the assembly about to be deployed.
 */
import { parseArgs } from 'node:util';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { checkRollout } from './rollout-guards';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      assembly: { type: 'string', default: 'cdk.out' },
      'first-deploy': { type: 'boolean', default: false },
    },
  });
  const cloudWatch = new CloudWatchClient({});
  try {
    const verdict = await checkRollout(cloudWatch, values.assembly, { firstDeploy: values['first-deploy'] });
    for (const line of verdict.lines) console.log(line);
    console.log(verdict.allowed ? 'The rollout may start.' : 'The rollout must not start.');
    process.exitCode = verdict.allowed ? 0 : 1;
  } finally {
    cloudWatch.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
