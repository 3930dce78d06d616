import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `NodejsFunction` bundles each function with `npx --no-install esbuild …`: the npm CLI starts (about
 * 0.35 s) only to find `node_modules/.bin/esbuild`, once per function, one function after another. The
 * shim, first on the synthesis's `PATH`, does that look-up itself for `npx --no-install <bin>` — the
 * nearest `node_modules/.bin/<bin>` from the working directory up, what `npx --no-install` runs too —
 * and hands every other call, and a bin it does not find, to the real `npx` unchanged. When the
 * synthesis names a bundle cache, `esbuild` runs through it (`bundle-cache.ts`).
 */
const SHIM = `#!/bin/sh
if [ "$1" = "--no-install" ] && [ -n "$2" ] && [ "\${2#-}" = "$2" ]; then
  dir=$(pwd)
  while :; do
    if [ -x "$dir/node_modules/.bin/$2" ]; then
      bin="$dir/node_modules/.bin/$2"
      name="$2"
      shift 2
      if [ "$name" = "esbuild" ] && [ -n "$LOCAL_CLOUD_BUNDLE_CACHE" ] && [ -n "$LOCAL_CLOUD_CACHED_ESBUILD" ]; then
        exec "$LOCAL_CLOUD_NODE" "$LOCAL_CLOUD_CACHED_ESBUILD" "$bin" "$@"
      fi
      exec "$bin" "$@"
    fi
    [ "$dir" = "/" ] && break
    dir=$(dirname "$dir")
  done
fi
exec "$LOCAL_CLOUD_REAL_NPX" "$@"
`;

export interface NpxShimOptions {
  /** Where bundles are kept between syntheses; without it esbuild always runs. */
  readonly bundleCacheDir?: string;
}

/** The environment variables that put the shim in front of `npx`; none where it cannot (Windows, no npx). */
export function npxShimEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  options: NpxShimOptions = {},
): Record<string, string> {
  if (process.platform === 'win32') return {};
  const pathValue = env.PATH ?? '';
  const realNpx = findOnPath('npx', pathValue);
  if (realNpx === undefined) return {};
  const shimDir = writeShim();
  const cache: Record<string, string> =
    options.bundleCacheDir === undefined
      ? {}
      : {
          LOCAL_CLOUD_BUNDLE_CACHE: path.resolve(options.bundleCacheDir),
          LOCAL_CLOUD_CACHED_ESBUILD: cachedEsbuildScript(),
          LOCAL_CLOUD_NODE: process.execPath,
        };
  return { PATH: `${shimDir}${path.delimiter}${pathValue}`, LOCAL_CLOUD_REAL_NPX: realNpx, ...cache };
}

/**
 * `cached-esbuild-cli.ts` compiled into one plain script (the package runs from its TypeScript sources,
 * and a process per bundle should not pay for compiling them), once per content of its sources.
 */
export function cachedEsbuildScript(): string {
  const sources = ['cached-esbuild-cli.ts', 'bundle-cache.ts'].map((file) => path.join(__dirname, file));
  const hash = createHash('sha256');
  for (const source of sources) hash.update(fs.readFileSync(source));
  const dir = path.join(os.tmpdir(), `cdk-local-cloud-esbuild-${hash.digest('hex').slice(0, 12)}`);
  const file = path.join(dir, 'cached-esbuild.js');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  buildSync({
    entryPoints: [sources[0] ?? ''],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: partial,
    logLevel: 'silent',
  });
  fs.renameSync(partial, file);
  return file;
}

function findOnPath(command: string, pathValue: string): string | undefined {
  for (const dir of pathValue.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Written once per content into the temporary directory; a rename makes it appear whole. */
function writeShim(): string {
  const key = createHash('sha256').update(SHIM).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `cdk-local-cloud-bin-${key}`);
  const file = path.join(dir, 'npx');
  if (fs.existsSync(file)) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, SHIM, { mode: 0o755 });
  fs.renameSync(partial, file);
  return dir;
}
