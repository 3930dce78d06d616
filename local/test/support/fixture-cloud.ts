import * as path from 'node:path';
import { LocalCloud, type LocalCloudOptions } from '../../src/local-cloud';

/** The package's folder: the fixture apps' commands and entries are relative to it. */
export const PROJECT_DIR = path.resolve(__dirname, '..', '..');

/**
 * Boots the local cloud on the fixture app (`test/fixtures/fixture-app.ts`), on free ports, keeping
 * function logs rather than printing them. `overrides` win (another fixture app's command, say).
 */
export async function startFixtureCloud(
  overrides: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const logs: string[] = [];
  const cloud = await LocalCloud.start({
    projectDir: PROJECT_DIR,
    appCommand: 'npx tsx test/fixtures/fixture-app.ts',
    defaultApiName: 'fixture-main',
    asyncRetryBaseDelayMs: 50,
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { cloud, logs };
}
