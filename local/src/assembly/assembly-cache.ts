/**
 * Synthesis is the slow part of a start (a CDK app with a few dozen bundled functions takes tens of
 * seconds), and most starts follow no change at all. The cloud assembly is therefore kept under a key
 * derived from everything that shapes it — the app command, its context, `cdk.json`, the lockfile and
 * the app's input files — and synthesized again only when the key changes.
 *
 * Which files are inputs is what `cdk watch` takes: `watch.include` / `watch.exclude` of `cdk.json`
 * (every file by default), never the output folder, dotfiles or `node_modules`.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globSync } from 'tinyglobby';
import {
  type CloudAssembly,
  readCloudAssembly,
  readCdkJson,
  synthesize,
  type SynthesisReport,
} from './cloud-assembly';
import { pruneBundleCache } from './bundle-cache';

export interface CachedSynthesisOptions {
  /** The directory holding `cdk.json`. */
  readonly projectDir: string;
  /** Where assemblies are kept, one folder per key. */
  readonly cacheDir: string;
  /** The CDK app command; `app` of `cdk.json` by default. */
  readonly appCommand?: string;
  /** CDK context values over those of `cdk.json`. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Synthesize even when an assembly with the same key is kept. */
  readonly fresh?: boolean;
  /** Assemblies kept; the least recently used beyond it are deleted. @default 6 */
  readonly keep?: number;
  /** Where bundles are kept between syntheses. @default `bundles` beside `cacheDir` */
  readonly bundleCacheDir?: string;
  /** Paths a running cloud still uses (the code of its functions' versions): their assemblies stay. */
  readonly inUse?: readonly string[];
}

export interface CachedSynthesis {
  readonly assembly: CloudAssembly;
  /** The hash of the inputs; names the assembly's folder. */
  readonly key: string;
  /** Undefined when the kept assembly was used. */
  readonly synthesis?: SynthesisReport;
  /** How long computing the key took. */
  readonly keyMs: number;
}

/** Bump when what is written to a kept assembly changes shape. */
const CACHE_FORMAT = 1;
const COMPLETE_MARKER = '.local-cloud-complete';
const DEFAULT_KEEP = 6;
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb'];
/** What `cdk watch` never watches. */
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.*', '**/.*/**', 'cdk.out/**'];

export async function synthesizeCached(options: CachedSynthesisOptions): Promise<CachedSynthesis> {
  const keyStarted = performance.now();
  const key = assemblyKey(options);
  const keyMs = performance.now() - keyStarted;
  const entry = path.join(options.cacheDir, key.slice(0, 24));
  if (!options.fresh && fs.existsSync(path.join(entry, COMPLETE_MARKER))) {
    const now = new Date();
    // The folder's time says when it was last used, for pruning.
    fs.utimesSync(entry, now, now);
    return { assembly: readCloudAssembly(entry), key, keyMs };
  }
  fs.mkdirSync(options.cacheDir, { recursive: true });
  const building = `${entry}.${process.pid}.${randomUUID().slice(0, 8)}.building`;
  try {
    const bundleCacheDir = options.bundleCacheDir ?? path.join(path.dirname(options.cacheDir), 'bundles');
    const { report } = await synthesize({
      projectDir: options.projectDir,
      outDir: building,
      appCommand: options.appCommand,
      context: options.context,
      bundleCacheDir,
    });
    pruneBundleCache(bundleCacheDir);
    fs.writeFileSync(path.join(building, COMPLETE_MARKER), `${key}\n`);
    fs.rmSync(entry, { recursive: true, force: true });
    try {
      fs.renameSync(building, entry);
    } catch (error) {
      // Another process kept the same key in the meantime: its assembly is the same, use it.
      if (!fs.existsSync(path.join(entry, COMPLETE_MARKER))) throw error;
      fs.rmSync(building, { recursive: true, force: true });
    }
    prune(options.cacheDir, options.keep ?? DEFAULT_KEEP, [entry, ...(options.inUse ?? [])]);
    return { assembly: readCloudAssembly(entry), key, keyMs, synthesis: report };
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

/** The hash of everything that shapes the app's cloud assembly. */
export function assemblyKey(options: Omit<CachedSynthesisOptions, 'cacheDir'>): string {
  const projectDir = path.resolve(options.projectDir);
  const cdkJson = readCdkJson(projectDir);
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer): void => {
    hash.update(`${label}\0${value.length}\0`);
    hash.update(value);
  };
  add('format', String(CACHE_FORMAT));
  add('app', options.appCommand ?? cdkJson.app ?? '');
  add('context', stableJson({ ...cdkJson.context, ...options.context }));
  add('env', `${process.env.CDK_DEFAULT_REGION ?? ''}/${process.env.CDK_DEFAULT_ACCOUNT ?? ''}`);
  const cdkJsonPath = path.join(projectDir, 'cdk.json');
  if (fs.existsSync(cdkJsonPath)) add('cdk.json', fs.readFileSync(cdkJsonPath));
  const lockfile = nearestLockfile(projectDir);
  if (lockfile) add('lockfile', fs.readFileSync(lockfile));
  for (const file of inputFiles(projectDir, cdkJson.watch)) {
    add(`file:${file}`, fs.readFileSync(path.join(projectDir, file)));
  }
  return hash.digest('hex');
}

/** The app's input files, relative to the project, sorted: what `cdk watch` would watch. */
export function inputFiles(
  projectDir: string,
  watch: {
    readonly include?: string | readonly string[];
    readonly exclude?: string | readonly string[];
  } = {},
): string[] {
  const asList = (value: string | readonly string[] | undefined): string[] =>
    value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
  const include = asList(watch.include);
  return globSync(include.length > 0 ? include : ['**'], {
    cwd: projectDir,
    ignore: [...asList(watch.exclude), ...ALWAYS_EXCLUDED],
    onlyFiles: true,
    dot: false,
    followSymbolicLinks: false,
  }).sort();
}

function nearestLockfile(projectDir: string): string | undefined {
  for (let folder = projectDir; ; folder = path.dirname(folder)) {
    const found = LOCKFILES.map((name) => path.join(folder, name)).find((file) => fs.existsSync(file));
    if (found) return found;
    if (path.dirname(folder) === folder) return undefined;
  }
}

/** JSON with object keys sorted, so the same context always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Deletes the least recently used assemblies beyond `keep`, and leftovers of interrupted builds. Other
 * processes share the folder (`npm start` beside a test run, test files in parallel): an entry one of
 * them renames or deletes after it was listed is passed over.
 */
function prune(cacheDir: string, keep: number, inUse: readonly string[]): void {
  const entries = fs
    .readdirSync(cacheDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = path.join(cacheDir, entry.name);
      const stats = fs.statSync(dir, { throwIfNoEntry: false });
      return stats === undefined ? [] : [{ dir, used: stats.mtimeMs }];
    });
  const dayAgo = Date.now() - 24 * 3600_000;
  const kept = entries.filter(({ dir }) => !dir.endsWith('.building')).sort((a, b) => b.used - a.used);
  for (const { dir } of kept.slice(keep)) {
    const used = inUse.some((usedPath) => usedPath === dir || usedPath.startsWith(`${dir}${path.sep}`));
    if (!used) fs.rmSync(dir, { recursive: true, force: true });
  }
  // A build older than a day was interrupted: no process is still writing it.
  for (const { dir, used } of entries.filter((entry) => entry.dir.endsWith('.building'))) {
    if (used < dayAgo) fs.rmSync(dir, { recursive: true, force: true });
  }
}
