import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyKey, inputFiles, synthesizeCached } from '../../../src/assembly/assembly-cache';

/** Directory names a listing of a folder adds, as if another process had removed them just after. */
const vanishedEntries = new Map<string, readonly string[]>();
/** The folders listed with such names. */
const listedWithVanished: string[] = [];

jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return {
    ...actual,
    readdirSync: (dir: string, options?: unknown): unknown => {
      const entries = Reflect.apply(actual.readdirSync, actual, [dir, options]) as unknown[];
      const vanished = vanishedEntries.get(String(dir));
      if (
        vanished === undefined ||
        (options as { withFileTypes?: boolean } | undefined)?.withFileTypes !== true
      )
        return entries;
      listedWithVanished.push(String(dir));
      return [...entries, ...vanished.map((name) => ({ name, isDirectory: () => true }))];
    },
  };
});

/**
 * A stand-in CDK app: writes a one-stack cloud assembly to CDK_OUTDIR, as `cdk synth` would, and
 * counts its runs in `runs.txt`, so a test sees whether synthesis happened.
 */
const APP = `
const fs = require('node:fs');
const path = require('node:path');
const out = process.env.CDK_OUTDIR;
fs.appendFileSync(path.join(__dirname, 'runs.txt'), 'run\\n');
const context = JSON.parse(process.env.CDK_CONTEXT_JSON || '{}');
const template = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: String(context.name || 'q') } } } };
fs.writeFileSync(path.join(out, 'App.template.json'), JSON.stringify(template));
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({
  version: '36.0.0',
  artifacts: { App: { type: 'aws:cloudformation:stack', properties: { templateFile: 'App.template.json' } } },
}));
`;

describe('the assembly cache', () => {
  let projectDir: string;
  let cacheDir: string;
  const runs = (): number =>
    fs.existsSync(path.join(projectDir, 'runs.txt'))
      ? fs.readFileSync(path.join(projectDir, 'runs.txt'), 'utf8').split('\n').filter(Boolean).length
      : 0;
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(projectDir, file)), { recursive: true });
    fs.writeFileSync(path.join(projectDir, file), text);
  };

  beforeEach(() => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-cache-project-'));
    cacheDir = path.join(projectDir, '.local', 'assemblies');
    write('app.js', APP);
    write('src/handler.ts', 'export const handler = async () => 1;\n');
    write('cdk.json', JSON.stringify({ app: 'node app.js', watch: { include: ['app.js', 'src/**'] } }));
  });

  afterEach(() => {
    vanishedEntries.clear();
    fs.rmSync(projectDir, { recursive: true, force: true });
  });

  test('synthesizes once, then reuses the kept assembly while the inputs are unchanged', async () => {
    const first = await synthesizeCached({ projectDir, cacheDir });
    const second = await synthesizeCached({ projectDir, cacheDir });

    expect(runs()).toBe(1);
    expect(first.synthesis).toBeDefined();
    expect(second.synthesis).toBeUndefined();
    expect(second.key).toBe(first.key);
    expect(second.assembly.stacks.map((stack) => stack.stackName)).toEqual(['App']);
    expect(second.assembly.outDir).toBe(first.assembly.outDir);
  });

  test('synthesizes again when an input file, cdk.json, the lockfile or the context changes', async () => {
    await synthesizeCached({ projectDir, cacheDir });

    write('src/handler.ts', 'export const handler = async () => 2;\n');
    await synthesizeCached({ projectDir, cacheDir });
    write('package-lock.json', '{"lockfileVersion":3}');
    await synthesizeCached({ projectDir, cacheDir });
    const withContext = await synthesizeCached({ projectDir, cacheDir, context: { name: 'other' } });
    write(
      'cdk.json',
      JSON.stringify({ app: 'node app.js', watch: { include: ['app.js', 'src/**'] }, context: {} }),
    );
    await synthesizeCached({ projectDir, cacheDir });

    expect(runs()).toBe(5);
    const queue = withContext.assembly.stacks[0]?.template.Resources?.['Queue'];
    expect(queue?.Properties?.['QueueName']).toBe('other');
  });

  test('files outside watch.include, dotfiles and node_modules are not inputs', async () => {
    const before = assemblyKey({ projectDir });
    write('README.md', 'notes');
    write('src/.editor-state', 'x');
    write('node_modules/lib/index.js', 'module.exports = 1;');
    write('.local/other', 'y');

    expect(assemblyKey({ projectDir })).toBe(before);
    expect(inputFiles(projectDir, { include: ['app.js', 'src/**'] })).toEqual(['app.js', 'src/handler.ts']);
  });

  test('without a watch setting every file of the project is an input, as for cdk watch', () => {
    write('cdk.json', JSON.stringify({ app: 'node app.js' }));
    const before = assemblyKey({ projectDir });
    write('docs/page.md', 'text');

    expect(assemblyKey({ projectDir })).not.toBe(before);
    expect(inputFiles(projectDir)).toEqual(['app.js', 'cdk.json', 'docs/page.md', 'src/handler.ts']);
  });

  test('watch.exclude takes files out again', () => {
    write('src/notes.md', 'a');
    expect(inputFiles(projectDir, { include: ['src/**'], exclude: ['**/*.md'] })).toEqual(['src/handler.ts']);
  });

  test('`fresh` synthesizes even when a kept assembly matches', async () => {
    await synthesizeCached({ projectDir, cacheDir });
    const again = await synthesizeCached({ projectDir, cacheDir, fresh: true });

    expect(runs()).toBe(2);
    expect(again.synthesis).toBeDefined();
  });

  test('keeps the most recently used assemblies and deletes the rest', async () => {
    for (let i = 0; i < 4; i++)
      await synthesizeCached({ projectDir, cacheDir, context: { name: `q${i}` }, keep: 2 });

    const kept = fs.readdirSync(cacheDir);
    expect(kept).toHaveLength(2);
    const newest = await synthesizeCached({ projectDir, cacheDir, context: { name: 'q3' }, keep: 2 });
    expect(newest.synthesis).toBeUndefined();
  });

  test('an entry another process renamed or deleted after it was listed is passed over when pruning', async () => {
    // Prepare: the listing names a build another process has just renamed and an assembly it has just
    // pruned (neither is on disk any more).
    vanishedEntries.set(cacheDir, [
      '0123456789abcdef01234567.42.abcdef01.building',
      '89abcdef0123456789abcdef',
    ]);

    // Act
    const synthesized = await synthesizeCached({ projectDir, cacheDir, keep: 1 });

    // Assess
    expect(synthesized.synthesis).toBeDefined();
    expect(listedWithVanished).toContain(cacheDir);
  });

  test('a failing app leaves nothing behind and says why', async () => {
    write('app.js', 'console.error("no stacks here"); process.exit(3);');

    await expect(synthesizeCached({ projectDir, cacheDir })).rejects.toThrow(/exit 3[\s\S]*no stacks here/);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });
});
