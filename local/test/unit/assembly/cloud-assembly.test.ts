import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCloudAssembly, SynthesisError } from '../../../src/assembly/cloud-assembly';

let outDir: string;

beforeEach(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-assembly-test-'));
  fs.writeFileSync(path.join(outDir, 'App.template.json'), JSON.stringify({ Resources: {} }));
});

afterEach(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
});

function writeManifest(metadata: Record<string, { type: string; data: string }[]>): void {
  const manifest = {
    version: '48.0.0',
    artifacts: {
      App: {
        type: 'aws:cloudformation:stack',
        properties: { templateFile: 'App.template.json', stackName: 'App' },
        metadata,
      },
    },
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest));
}

describe('readCloudAssembly', () => {
  it('reads the stacks of an assembly whose annotations are warnings and info only', () => {
    // Prepare
    writeManifest({ '/App/Queue': [{ type: 'aws:cdk:warning', data: 'consider encryption' }] });

    // Act
    const assembly = readCloudAssembly(outDir);

    // Assess
    expect(assembly.stacks.map((stack) => stack.stackName)).toEqual(['App']);
  });

  it('refuses an assembly with error annotations, as cdk deploy does, naming each', () => {
    // Prepare
    writeManifest({
      '/App/Handler/Resource': [{ type: 'aws:cdk:error', data: 'no alarm watches this function' }],
      '/App/Queue/Resource': [
        { type: 'aws:cdk:warning', data: 'a warning' },
        { type: 'aws:cdk:error', data: 'no alarm watches this queue' },
      ],
    });

    // Act
    const read = (): unknown => readCloudAssembly(outDir);

    // Assess
    expect(read).toThrow(SynthesisError);
    expect(read).toThrow(
      'The app reported 2 error(s) at synthesis:\n' +
        '  /App/Handler/Resource: no alarm watches this function\n' +
        '  /App/Queue/Resource: no alarm watches this queue',
    );
  });
});
