import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { npxShimEnvironment } from '../../../src/assembly/npx-shim';

const describeOnPosix = process.platform === 'win32' ? describe.skip : describe;

describeOnPosix("the npx shim a synthesis runs with (NodejsFunction's `npx --no-install esbuild`)", () => {
  let root: string;
  let fakeNpxDir: string;

  const executable = (file: string, script: string): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  };

  /** Runs `command` through a shell, as local bundling does, from `cwd` with the shim's environment. */
  const run = (command: string, cwd: string, env: NodeJS.ProcessEnv): string =>
    execFileSync('/bin/sh', ['-c', command], { cwd, env: { ...env }, encoding: 'utf8' }).trim();

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'npx-shim-'));
    // The "real" npx of this test says that it ran, and with what.
    fakeNpxDir = path.join(root, 'real-bin');
    executable(path.join(fakeNpxDir, 'npx'), 'echo "real npx:$*"');
    executable(path.join(root, 'project', 'node_modules', '.bin', 'greet'), 'echo "greet:$#:$1|$2"');
    fs.mkdirSync(path.join(root, 'project', 'packages', 'a', 'src'), { recursive: true });
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const shimmed = (): NodeJS.ProcessEnv => {
    const env = { ...process.env, PATH: `${fakeNpxDir}${path.delimiter}/usr/bin${path.delimiter}/bin` };
    return { ...env, ...npxShimEnvironment(env) };
  };

  test('`npx --no-install <bin>` runs the nearest node_modules/.bin/<bin> itself, arguments intact', () => {
    const output = run(
      'npx --no-install greet one "two words"',
      path.join(root, 'project', 'packages', 'a', 'src'),
      shimmed(),
    );

    expect(output).toBe('greet:2:one|two words');
  });

  test.each([
    [
      'a bin no node_modules/.bin holds',
      'npx --no-install missing --flag',
      'real npx:--no-install missing --flag',
    ],
    ['any other use of npx', 'npx tsx app.ts', 'real npx:tsx app.ts'],
    [
      'an option where the bin would be',
      'npx --no-install -p greet greet',
      'real npx:--no-install -p greet greet',
    ],
  ])('%s goes to the real npx unchanged', (_case, command, expected) => {
    expect(run(command, path.join(root, 'project'), shimmed())).toBe(expected);
  });

  test('with a bundle cache, `npx --no-install esbuild` runs through it: esbuild runs with its arguments intact', () => {
    executable(path.join(root, 'project', 'node_modules', '.bin', 'esbuild'), 'echo "esbuild:$#:$1|$2"');
    const env = {
      ...shimmed(),
      ...npxShimEnvironment(shimmed(), { bundleCacheDir: path.join(root, 'bundles') }),
    };
    expect(env['LOCAL_CLOUD_CACHED_ESBUILD']).toMatch(/cached-esbuild\.js$/);

    const output = run('npx --no-install esbuild --bundle "src/a b.ts"', path.join(root, 'project'), env);

    expect(output).toBe('esbuild:2:--bundle|src/a b.ts');
  });

  test('without an npx on the PATH nothing changes', () => {
    expect(npxShimEnvironment({ PATH: path.join(root, 'project') })).toEqual({});
  });
});
