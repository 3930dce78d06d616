/**
 * `npm run user -- --email <email> [--staff] [--password <password>] [--endpoint <url>]`: signs a user up
 * on the running local cloud's user pool (`npm start`), confirms and registers them, and prints their ID
 * token on stdout, for `Authorization: <token>` on the API. What else there is to know goes to stderr.
 * With `--password`, a user who signed up before is signed in again.
 */
import { parseArgs } from 'node:util';
import { localClientConfig } from 'cdk-local-cloud';
import { shopUserPool, signUpAndSignIn } from '../../infra/ops/shop-users';

const USAGE =
  'usage: npm run -s user -- --email <email> [--staff] [--password <password>] [--endpoint <url>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      staff: { type: 'boolean', default: false },
      password: { type: 'string' },
      endpoint: { type: 'string', default: `http://127.0.0.1:${process.env['EDGE_PORT'] ?? '4566'}` },
    },
  });
  if (values.email === undefined) throw new Error(`--email is required\n${USAGE}`);
  const endpoint = values.endpoint.replace(/\/$/, '');
  const pool = shopUserPool(await outputsOf(endpoint));
  const config = { ...localClientConfig(endpoint), maxAttempts: 1 };
  const options = { email: values.email, staff: values.staff, password: values.password };
  let user;
  try {
    user = await signUpAndSignIn(config, pool, options);
  } catch (error) {
    if (!(error instanceof Error && error.name === 'UsernameExistsException')) throw error;
    if (values.password === undefined) {
      throw new Error(`${values.email} has signed up already: pass --password to sign them in again.`);
    }
    user = await signUpAndSignIn(config, pool, { ...options, existing: true });
  }
  process.stderr.write(
    `${user.email} is ${user.userId}${values.staff ? ' (staff)' : ''}, password ${user.password}.\n` +
      'Their ID token (valid for an hour) follows; send it as the Authorization header.\n',
  );
  process.stdout.write(`${user.idToken}\n`);
}

/** Every stack's outputs, as the local cloud answers them. */
async function outputsOf(endpoint: string): Promise<Record<string, Record<string, string>>> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/_local/outputs`);
  } catch {
    throw new Error(`No local cloud answers at ${endpoint}: start it with npm start.`);
  }
  if (!response.ok) throw new Error(`${endpoint}/_local/outputs answered ${response.status}.`);
  return (await response.json()) as Record<string, Record<string, string>>;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
