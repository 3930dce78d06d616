/**
 * A synthesis bundles every `NodejsFunction` with esbuild, one after another: 39 bundles take about
 * 11 s here, on every synthesis, though a new context (a test's settings) or a change to one handler
 * leaves almost every bundle as it was. The bundle cache keeps each bundle under a key of its esbuild
 * command (the output path left out), esbuild's version, the lockfile and the tsconfig, and records the
 * files esbuild read (its metafile) with their content hashes. The same command again, with every one
 * of those files unchanged, gets the kept output copied into place instead of a run of esbuild: the
 * same bytes esbuild would write, so `NodejsFunction`'s output-hashed asset is the same too.
 *
 * The npx shim runs `runCachedEsbuild` (compiled once into a script, see `cachedEsbuildScript`) in
 * place of `npx --no-install esbuild` when the synthesis names a cache folder.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bump when what a cache entry holds changes shape. */
const CACHE_FORMAT = 1;
const MANIFEST = 'manifest.json';
/** What a cache hit prints instead of esbuild's `Done in …`: counted by the synthesis report. */
export const CACHED_BUNDLE_LINE = 'esbuild skipped: bundle from the cache';
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb'];
const DEFAULT_MAX_ENTRIES = 400;

interface Manifest {
  readonly format: number;
  /** Files esbuild read, relative to the working directory, with the sha256 of their content. */
  readonly inputs: readonly (readonly [file: string, sha256: string])[];
  /** Files esbuild wrote, relative to the output file's folder. */
  readonly outputs: readonly string[];
}

export interface CachedEsbuildOptions {
  /** The real esbuild executable. */
  readonly esbuild: string;
  /** Its arguments, as `NodejsFunction` passes them. */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly cacheDir: string;
  /** Where esbuild's own output and the cache's line go. @default process.stderr */
  readonly log?: (line: string) => void;
}

/**
 * Runs `esbuild args` from `cwd`, or copies the bundle a run with the same key wrote before when none
 * of the files it read changed. Resolves with esbuild's exit code (0 for a hit). A command without
 * `--outfile` (or one esbuild serves or watches) always runs esbuild.
 */
export function runCachedEsbuild(options: CachedEsbuildOptions): number {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outfile = optionValue(options.args, '--outfile');
  if (outfile === undefined || options.args.some((arg) => /^--(watch|serve)\b/.test(arg))) {
    return runEsbuild(options.esbuild, options.args, options.cwd);
  }
  const outDir = path.dirname(path.resolve(options.cwd, outfile));
  const key = bundleKey(options);
  const entry = path.join(options.cacheDir, key.slice(0, 32));

  const manifest = readManifest(entry);
  if (manifest !== undefined && inputsUnchanged(manifest, options.cwd)) {
    fs.mkdirSync(outDir, { recursive: true });
    for (const output of manifest.outputs) {
      fs.copyFileSync(path.join(entry, 'files', output), path.join(outDir, output));
    }
    const now = new Date();
    // The entry's time says when it was last used, for pruning.
    fs.utimesSync(entry, now, now);
    log(`${CACHED_BUNDLE_LINE} (${path.relative(options.cwd, outfile)})`);
    return 0;
  }

  // esbuild names the files it read in a metafile: the caller's, when it asks for one, else ours.
  const askedMetafile = optionValue(options.args, '--metafile');
  fs.mkdirSync(options.cacheDir, { recursive: true });
  const metafile = askedMetafile ?? path.join(options.cacheDir, `.meta-${process.pid}-${randomUUID()}.json`);
  const args = askedMetafile === undefined ? [...options.args, `--metafile=${metafile}`] : options.args;
  const status = runEsbuild(options.esbuild, args, options.cwd);
  const metafilePath = path.resolve(options.cwd, metafile);
  try {
    if (status === 0) keep(entry, metafilePath, options.cwd, outDir);
  } finally {
    if (askedMetafile === undefined) fs.rmSync(metafilePath, { force: true });
  }
  return status;
}

/** The key of a bundle: everything but its input files that shapes what esbuild writes. */
export function bundleKey(options: Pick<CachedEsbuildOptions, 'esbuild' | 'args' | 'cwd'>): string {
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer): void => {
    hash.update(`${label}\0${value.length}\0`);
    hash.update(value);
  };
  add('format', String(CACHE_FORMAT));
  add('cwd', path.resolve(options.cwd));
  add('esbuild', esbuildIdentity(options.esbuild));
  // The output's folder differs per synthesis; its name is not part of what esbuild writes in it.
  const args = options.args.map((arg) =>
    arg.startsWith('--outfile=')
      ? '--outfile=<out>'
      : arg.startsWith('--metafile=')
        ? '--metafile=<meta>'
        : arg,
  );
  add('args', JSON.stringify(args));
  const tsconfig = optionValue(options.args, '--tsconfig') ?? 'tsconfig.json';
  const tsconfigPath = path.resolve(options.cwd, tsconfig);
  if (fs.existsSync(tsconfigPath)) add('tsconfig', fs.readFileSync(tsconfigPath));
  const lockfile = nearest(options.cwd, LOCKFILES);
  if (lockfile !== undefined) add('lockfile', fs.readFileSync(lockfile));
  return hash.digest('hex');
}

/** Deletes the least recently used entries beyond `maxEntries`. */
export function pruneBundleCache(cacheDir: string, maxEntries = DEFAULT_MAX_ENTRIES): void {
  if (!fs.existsSync(cacheDir)) return;
  const entries = fs
    .readdirSync(cacheDir, { withFileTypes: true })
    .filter((dirent) => dirent.isDirectory() && !dirent.name.includes('.'))
    .map((dirent) => {
      const dir = path.join(cacheDir, dirent.name);
      return { dir, usedAt: fs.statSync(dir).mtimeMs };
    })
    .sort((a, b) => b.usedAt - a.usedAt);
  for (const stale of entries.slice(maxEntries)) fs.rmSync(stale.dir, { recursive: true, force: true });
}

function runEsbuild(esbuild: string, args: readonly string[], cwd: string): number {
  const result = spawnSync(esbuild, args, { cwd, stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  return result.status ?? 1;
}

interface Metafile {
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** Records the bundle esbuild just wrote: its outputs, and the inputs the metafile names, hashed. */
function keep(entry: string, metafilePath: string, cwd: string, outDir: string): void {
  let metafile: Metafile;
  try {
    metafile = JSON.parse(fs.readFileSync(metafilePath, 'utf8')) as Metafile;
  } catch {
    // No metafile (an esbuild that does not write one): what it read is unknown, so nothing is kept.
    return;
  }
  const inputs = Object.keys(metafile.inputs ?? {})
    .filter((file) => fs.existsSync(path.resolve(cwd, file)))
    .map((file) => [file, sha256(fs.readFileSync(path.resolve(cwd, file)))] as const);
  const outputs = Object.keys(metafile.outputs ?? {}).map((file) =>
    path.relative(outDir, path.resolve(cwd, file)),
  );
  // An output outside the output file's folder cannot be put back where esbuild wrote it: not kept.
  if (outputs.some((output) => output.startsWith('..') || path.isAbsolute(output))) return;
  const building = `${entry}.${process.pid}.${randomUUID().slice(0, 8)}.building`;
  try {
    fs.mkdirSync(path.join(building, 'files'), { recursive: true });
    for (const output of outputs) {
      fs.mkdirSync(path.dirname(path.join(building, 'files', output)), { recursive: true });
      fs.copyFileSync(path.join(outDir, output), path.join(building, 'files', output));
    }
    const manifest: Manifest = { format: CACHE_FORMAT, inputs, outputs };
    fs.writeFileSync(path.join(building, MANIFEST), JSON.stringify(manifest));
    fs.rmSync(entry, { recursive: true, force: true });
    fs.renameSync(building, entry);
  } catch {
    // A cache that cannot be written costs the next run a bundling, nothing else.
    fs.rmSync(building, { recursive: true, force: true });
  }
}

function readManifest(entry: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(entry, MANIFEST), 'utf8')) as Manifest;
    return manifest.format === CACHE_FORMAT ? manifest : undefined;
  } catch {
    return undefined;
  }
}

function inputsUnchanged(manifest: Manifest, cwd: string): boolean {
  return manifest.inputs.every(([file, hash]) => {
    try {
      return sha256(fs.readFileSync(path.resolve(cwd, file))) === hash;
    } catch {
      return false;
    }
  });
}

/** The value of `--name=value` among the arguments; the last one wins, as for esbuild. */
function optionValue(args: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  return args
    .filter((arg) => arg.startsWith(prefix))
    .at(-1)
    ?.slice(prefix.length);
}

/** The esbuild executable's real path and size: another version is another key. */
function esbuildIdentity(esbuild: string): string {
  try {
    const real = fs.realpathSync(esbuild);
    const packageJson = nearest(path.dirname(real), ['package.json']);
    const version =
      packageJson === undefined
        ? ''
        : String((JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version?: unknown }).version);
    return `${real}@${version}`;
  } catch {
    return esbuild;
  }
}

function nearest(from: string, names: readonly string[]): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
