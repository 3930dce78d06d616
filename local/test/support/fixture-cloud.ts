import * as path from 'node:path';
import type { LocalCloud, LocalCloudOptions } from '../../src/local-cloud';
import { startTestCloud } from '../../src/testing/start-test-cloud';

/** The package's folder: the fixture apps' commands and entries are relative to it. */
export const PROJECT_DIR = path.resolve(__dirname, '..', '..');

/**
 * Boots the local cloud on the fixture app (`test/fixtures/fixture-app.ts`) for a test suite (see
 * `startTestCloud`). `overrides` win (another fixture app's command, say).
 */
export async function startFixtureCloud(
  overrides: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  return startTestCloud({
    projectDir: PROJECT_DIR,
    appCommand: 'npx tsx test/fixtures/fixture-app.ts',
    defaultApiName: 'fixture-main',
    asyncRetryBaseDelayMs: 50,
    ...overrides,
  });
}
