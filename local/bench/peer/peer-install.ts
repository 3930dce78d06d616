/**
 * Installs the peer (`serverless` + `serverless-offline`, pinned in this folder's package.json and
 * package-lock.json) into a scratch folder outside the repository, so the project's own `npm ci` never
 * sees it. The folder is named by the hash of both files: an unchanged lockfile reuses the install.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface InstalledPeer {
  /** The scratch folder holding `node_modules/`. */
  readonly dir: string;
  /** `serverless/bin/serverless.js`, run with this Node.js. */
  readonly serverlessBin: string;
  readonly serverlessVersion: string;
  readonly serverlessOfflineVersion: string;
  /** False when an earlier install with the same lockfile was reused. */
  readonly installedNow: boolean;
}

const MANIFEST_FILES = ['package.json', 'package-lock.json'] as const;
/** Written last: a folder without it is an interrupted install. */
const COMPLETE_MARKER = '.install-complete';

export function installPeer(log: (line: string) => void): InstalledPeer {
  const hash = createHash('sha256');
  for (const file of MANIFEST_FILES) hash.update(fs.readFileSync(path.join(__dirname, file)));
  const dir = path.join(os.tmpdir(), `cdk-local-cloud-peer-${hash.digest('hex').slice(0, 16)}`);
  let installedNow = false;
  if (!fs.existsSync(path.join(dir, COMPLETE_MARKER))) {
    log(`Installing the peer with npm ci into ${dir} …`);
    installInto(dir);
    installedNow = true;
  }
  return {
    dir,
    serverlessBin: path.join(dir, 'node_modules', 'serverless', 'bin', 'serverless.js'),
    serverlessVersion: versionOf(dir, 'serverless'),
    serverlessOfflineVersion: versionOf(dir, 'serverless-offline'),
    installedNow,
  };
}

function installInto(dir: string): void {
  // Installed beside the final folder and renamed into place, so two runs never share a half-made install.
  const staging = fs.mkdtempSync(`${dir}.staging-`);
  try {
    for (const file of MANIFEST_FILES) fs.copyFileSync(path.join(__dirname, file), path.join(staging, file));
    // No install scripts: the peer needs none to run offline (serverless' own only prints a notice).
    const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: staging,
      env: withoutWorkspaceSettings(process.env),
      // Progress to stderr: stdout carries the benchmark's report only.
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (result.status !== 0) {
      throw new Error(`npm ci of the peer failed (${result.error?.message ?? `exit ${result.status}`})`);
    }
    fs.writeFileSync(path.join(staging, COMPLETE_MARKER), new Date().toISOString());
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another run may have finished the same install meanwhile.
    if (!fs.existsSync(path.join(dir, COMPLETE_MARKER))) throw error;
  }
}

/**
 * `npm run … --workspace cdk-local-cloud` hands its workspace selection down in the environment; the
 * scratch folder is a project of its own and has no such workspace.
 */
function withoutWorkspaceSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => !/^npm_config_(workspace|workspaces|include_workspace_root)$/i.test(name),
    ),
  );
}

function versionOf(dir: string, packageName: string): string {
  const manifest = path.join(dir, 'node_modules', packageName, 'package.json');
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string };
  return version ?? 'unknown';
}
