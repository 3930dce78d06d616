import * as path from 'node:path';
import { LocalCloud, type LocalCloudOptions } from '../../local/local-cloud';

export const PROJECT_DIR = path.resolve(__dirname, '..', '..');

/** Fake credentials and the local region, as every SDK client of the tests uses them. */
export function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

/**
 * Boots the local cloud on this project, on free ports, keeping function logs rather than printing
 * them; by default on the real app (`cdk.json`). `overrides` win.
 */
export async function startProjectCloud(
  overrides: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const logs: string[] = [];
  const cloud = await LocalCloud.start({
    projectDir: PROJECT_DIR,
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { cloud, logs };
}

/** Boots the local cloud on the fixture app, on free ports; function logs are kept, not printed. */
export function startFixtureCloud(
  overrides: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  return startProjectCloud({
    appCommand: 'npx tsx test/fixtures/fixture-app.ts',
    defaultApiName: 'fixture-main',
    asyncRetryBaseDelayMs: 50,
    ...overrides,
  });
}
