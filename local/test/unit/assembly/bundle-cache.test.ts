import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bundleKey,
  CACHED_BUNDLE_LINE,
  pruneBundleCache,
  runCachedEsbuild,
} from '../../../src/assembly/bundle-cache';

const describeOnPosix = process.platform === 'win32' ? describe.skip : describe;
const REAL_ESBUILD = require.resolve('esbuild/bin/esbuild');

describeOnPosix('the bundle cache (esbuild runs of NodejsFunction, kept between syntheses)', () => {
  let root: string;
  let project: string;
  let cacheDir: string;
  /** An esbuild that counts its runs in a file, then runs the real one. */
  let esbuild: string;
  const runs = (): number =>
    fs.existsSync(path.join(root, 'runs')) ? fs.readFileSync(path.join(root, 'runs'), 'utf8').length : 0;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
    project = path.join(root, 'project');
    cacheDir = path.join(root, 'cache');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package-lock.json'), '{"lockfileVersion":3}');
    fs.writeFileSync(path.join(project, 'src', 'greeting.ts'), "export const greeting = 'hello';\n");
    fs.writeFileSync(
      path.join(project, 'src', 'handler.ts'),
      "import { greeting } from './greeting';\nexport const handler = async () => greeting;\n",
    );
    esbuild = path.join(root, 'esbuild');
    fs.writeFileSync(esbuild, `#!/bin/sh\nprintf x >> "${root}/runs"\nexec "${REAL_ESBUILD}" "$@"\n`, {
      mode: 0o755,
    });
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A NodejsFunction-like command writing to a new staging folder; resolves with its status, output and log. */
  function bundle(extraArgs: readonly string[] = []) {
    const outDir = fs.mkdtempSync(path.join(root, 'asset-'));
    const lines: string[] = [];
    const status = runCachedEsbuild({
      esbuild,
      args: [
        '--bundle',
        'src/handler.ts',
        '--target=node22',
        '--platform=node',
        `--outfile=${path.join(outDir, 'index.js')}`,
        '--sourcemap',
        '--log-level=warning',
        ...extraArgs,
      ],
      cwd: project,
      cacheDir,
      log: (line) => lines.push(line),
    });
    const read = (file: string): string | undefined =>
      fs.existsSync(path.join(outDir, file)) ? fs.readFileSync(path.join(outDir, file), 'utf8') : undefined;
    return { status, outDir, lines, js: read('index.js'), map: read('index.js.map'), read };
  }

  test('the same command again, its inputs unchanged, gets the same files without running esbuild', () => {
    // Act
    const first = bundle();
    const second = bundle();

    // Assess
    expect([first.status, second.status]).toEqual([0, 0]);
    expect(runs()).toBe(1);
    expect(first.js).toContain('hello');
    expect(second.js).toBe(first.js);
    expect(second.map).toBe(first.map);
    expect(first.lines).toEqual([]);
    expect(second.lines).toEqual([expect.stringContaining(CACHED_BUNDLE_LINE)]);
  });

  test('a changed input, even one the entry only imports, runs esbuild again and bundles the change', () => {
    bundle();
    fs.writeFileSync(path.join(project, 'src', 'greeting.ts'), "export const greeting = 'bonjour';\n");
    const after = bundle();
    expect(runs()).toBe(2);
    expect(after.js).toContain('bonjour');
    // And the new bundle is the one kept.
    expect(bundle().js).toBe(after.js);
    expect(runs()).toBe(2);
  });

  test.each([
    ['other arguments', () => bundle(['--minify'])],
    [
      'another lockfile',
      () => {
        fs.writeFileSync(path.join(project, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
        return bundle();
      },
    ],
    [
      'another tsconfig',
      () => {
        fs.writeFileSync(path.join(project, 'tsconfig.json'), '{"compilerOptions":{"strict":true}}');
        return bundle();
      },
    ],
  ])('%s are another key: esbuild runs', (_label, again) => {
    bundle();
    expect(again().status).toBe(0);
    expect(runs()).toBe(2);
  });

  test("a caller's own metafile is written on a run and kept with the bundle; ours never lands in the output", () => {
    const first = bundle(['--metafile=meta.json']);
    expect(JSON.parse(fs.readFileSync(path.join(project, 'meta.json'), 'utf8'))).toHaveProperty('inputs');
    const plain = bundle();
    expect(fs.readdirSync(plain.outDir).sort()).toEqual(['index.js', 'index.js.map']);
    expect(fs.readdirSync(first.outDir).sort()).toEqual(['index.js', 'index.js.map']);
    expect(fs.readdirSync(cacheDir).filter((name) => name.startsWith('.meta-'))).toEqual([]);
  });

  test('a failing bundling answers its status and keeps nothing', () => {
    fs.writeFileSync(path.join(project, 'src', 'handler.ts'), 'export const = ;\n');
    const failed = bundle(['--log-level=silent']);
    expect(failed.status).not.toBe(0);
    expect(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []).toEqual([]);
  });

  test('the key ignores where the output goes, and nothing else of the command', () => {
    const key = (args: string[]) => bundleKey({ esbuild, args, cwd: project });
    expect(key(['--bundle', 'a.ts', '--outfile=/tmp/x/index.js'])).toBe(
      key(['--bundle', 'a.ts', '--outfile=/tmp/y/index.js']),
    );
    expect(key(['--bundle', 'a.ts'])).not.toBe(key(['--bundle', 'b.ts']));
  });

  test('pruning keeps the most recently used entries', () => {
    fs.mkdirSync(cacheDir);
    for (const [index, name] of ['old', 'mid', 'new'].entries()) {
      fs.mkdirSync(path.join(cacheDir, name));
      const at = new Date(Date.UTC(2026, 0, 1 + index));
      fs.utimesSync(path.join(cacheDir, name), at, at);
    }
    pruneBundleCache(cacheDir, 2);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['mid', 'new']);
  });
});
