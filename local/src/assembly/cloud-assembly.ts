import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../template/template-types';
import { CACHED_BUNDLE_LINE } from './bundle-cache';
import { npxShimEnvironment } from './npx-shim';

export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

export interface CloudAssembly {
  readonly outDir: string;
  /** Stacks in deployment order: every stack comes after the stacks it depends on. */
  readonly stacks: readonly AssemblyStack[];
  /** File assets by the S3 object key a template names (`Code.S3Key`) → their directory or file. */
  readonly fileAssets: ReadonlyMap<string, string>;
}

export class SynthesisError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynthesisError';
  }
}

export interface SynthesizeOptions {
  /** Directory holding `cdk.json`. */
  readonly projectDir: string;
  /** Where to write the cloud assembly. */
  readonly outDir: string;
  /** The app command; defaults to `app` in `cdk.json`, exactly what `cdk synth` would run. */
  readonly appCommand?: string;
  /** Context values over those of `cdk.json`, as `cdk synth -c key=value` gives them. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where `NodejsFunction` bundles are kept between syntheses (`bundle-cache.ts`); none by default. */
  readonly bundleCacheDir?: string;
}

export interface CdkJson {
  readonly app?: string;
  readonly context?: Record<string, unknown>;
  /** What `cdk watch` watches: the app's input files. */
  readonly watch?: {
    readonly include?: string | readonly string[];
    readonly exclude?: string | readonly string[];
  };
}

/** Where a synthesis spent its time. */
export interface SynthesisReport {
  readonly durationMs: number;
  /** Assets bundled by esbuild during the synthesis (`NodejsFunction` prints one line per bundle). */
  readonly bundles: number;
  /** The time esbuild reported for them, added up. */
  readonly bundlingMs: number;
  /** Bundles copied from the bundle cache instead: esbuild did not run for them. */
  readonly cachedBundles: number;
}

/** `cdk.json` of the project, or an empty one. */
export function readCdkJson(projectDir: string): CdkJson {
  const cdkJsonPath = path.join(projectDir, 'cdk.json');
  return fs.existsSync(cdkJsonPath) ? (JSON.parse(fs.readFileSync(cdkJsonPath, 'utf8')) as CdkJson) : {};
}

/**
 * Runs the CDK app the way the CDK CLI does (the `app` command of `cdk.json`, with `CDK_OUTDIR` and
 * `CDK_CONTEXT_JSON`), so the local cloud reads the very cloud assembly `cdk deploy` would upload.
 */
export async function synthesize(
  options: SynthesizeOptions,
): Promise<{ assembly: CloudAssembly; report: SynthesisReport }> {
  const started = performance.now();
  const cdkJson = readCdkJson(options.projectDir);
  const appCommand = options.appCommand ?? cdkJson.app;
  if (!appCommand) {
    throw new SynthesisError(
      `No CDK app to run: set "app" in ${path.join(options.projectDir, 'cdk.json')} or pass an app command.`,
    );
  }
  const context = { ...cdkJson.context, ...options.context };
  fs.rmSync(options.outDir, { recursive: true, force: true });
  fs.mkdirSync(options.outDir, { recursive: true });

  const output: string[] = [];
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(appCommand, {
      cwd: options.projectDir,
      shell: true,
      env: {
        ...process.env,
        CDK_OUTDIR: options.outDir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        CDK_DEFAULT_REGION: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
        CDK_DEFAULT_ACCOUNT: process.env.CDK_DEFAULT_ACCOUNT ?? '000000000000',
        ...validationSetting(context),
        ...npxShimEnvironment(process.env, { bundleCacheDir: options.bundleCacheDir }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (exitCode !== 0) {
    throw new SynthesisError(
      `The CDK app failed (${appCommand}, exit ${exitCode}):\n${output.join('').trim()}`,
    );
  }
  const text = output.join('');
  const bundlingTimes = [...text.matchAll(/Done in (\d+(?:\.\d+)?)(ms|s)\b/g)].map(
    ([, value, unit]) => Number(value) * (unit === 's' ? 1000 : 1),
  );
  return {
    assembly: readCloudAssembly(options.outDir),
    report: {
      durationMs: performance.now() - started,
      bundles: bundlingTimes.length,
      bundlingMs: bundlingTimes.reduce((sum, ms) => sum + ms, 0),
      cachedBundles: text.split(CACHED_BUNDLE_LINE).length - 1,
    },
  };
}

/** aws-cdk-lib's feature flag that makes its built-in template validation fail a synthesis. */
const VALIDATE_AGAINST_DEFAULT_RULES = '@aws-cdk/core:validateAgainstDefaultRules';

/**
 * aws-cdk-lib validates the templates it writes against CloudFormation's rules, which takes seconds,
 * and turns what it finds into warnings the local cloud would not show. It is skipped
 * (`CDK_VALIDATION=false`) unless the environment already says, or the app's context makes its
 * findings fail the synthesis: then it runs as `cdk synth` runs it.
 */
function validationSetting(context: Readonly<Record<string, unknown>>): Record<string, string> {
  const failsSynthesis = [true, 'true'].includes(context[VALIDATE_AGAINST_DEFAULT_RULES] as string | boolean);
  return process.env.CDK_VALIDATION !== undefined || failsSynthesis ? {} : { CDK_VALIDATION: 'false' };
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly file?: string;
  };
  readonly dependencies?: readonly string[];
  readonly displayName?: string;
  /** Annotations by construct path: `aws:cdk:error` entries stop `cdk deploy`. */
  readonly metadata?: Record<string, readonly { readonly type: string; readonly data?: unknown }[]>;
}

interface Manifest {
  readonly artifacts?: Record<string, ManifestArtifact>;
}

/** Reads a cloud assembly directory (`manifest.json` and the stack templates it names). */
export function readCloudAssembly(outDir: string): CloudAssembly {
  const manifestPath = path.join(outDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new SynthesisError(`${manifestPath} not found: the app did not synthesize a cloud assembly.`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  const artifacts = manifest.artifacts ?? {};
  // As `cdk deploy`: an app that annotated errors (`Annotations.of(x).addError`, e.g. from an Aspect)
  // is not deployed.
  const errors = Object.values(artifacts).flatMap((artifact) =>
    Object.entries(artifact.metadata ?? {}).flatMap(([constructPath, entries]) =>
      entries
        .filter((entry) => entry.type === 'aws:cdk:error')
        .map((entry) => `  ${constructPath}: ${String(entry.data)}`),
    ),
  );
  if (errors.length > 0) {
    throw new SynthesisError(
      `The app reported ${errors.length} error(s) at synthesis:\n${errors.join('\n')}`,
    );
  }
  const stackIds = Object.keys(artifacts).filter((id) => artifacts[id]?.type === 'aws:cloudformation:stack');

  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string): void => {
    if (ordered.includes(id)) return;
    if (visiting.has(id)) throw new SynthesisError(`Stack dependency cycle through ${id}.`);
    visiting.add(id);
    for (const dependency of artifacts[id]?.dependencies ?? []) {
      if (stackIds.includes(dependency)) visit(dependency);
    }
    visiting.delete(id);
    ordered.push(id);
  };
  stackIds.forEach(visit);

  const stacks = ordered.map((id): AssemblyStack => {
    const artifact = artifacts[id];
    const templateFile = artifact?.properties?.templateFile ?? `${id}.template.json`;
    const template = JSON.parse(fs.readFileSync(path.join(outDir, templateFile), 'utf8')) as CfnTemplate;
    return { stackName: artifact?.properties?.stackName ?? id, template };
  });
  const fileAssets = new Map<string, string>();
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest' || !artifact.properties?.file) continue;
    const assetManifest = JSON.parse(
      fs.readFileSync(path.join(outDir, artifact.properties.file), 'utf8'),
    ) as AssetManifest;
    for (const asset of Object.values(assetManifest.files ?? {})) {
      for (const destination of Object.values(asset.destinations ?? {})) {
        if (destination.objectKey && asset.source?.path) {
          fileAssets.set(destination.objectKey, path.join(outDir, asset.source.path));
        }
      }
    }
  }
  return { outDir, stacks, fileAssets };
}

interface AssetManifest {
  readonly files?: Record<
    string,
    {
      readonly source?: { readonly path?: string };
      readonly destinations?: Record<string, { readonly objectKey?: string }>;
    }
  >;
}
