import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A Jest `setupFilesAfterEnv` module (`cdk-local-cloud/jest-cdk-outdir`): an `App` without an `outdir`
 * writes its assembly to a new temporary directory and leaves it there, and a test file synthesizes
 * dozens. `CDK_OUTDIR` gives them one per test file, removed after it.
 */
const outdir = mkdtempSync(path.join(os.tmpdir(), 'test-cdk.out-'));
process.env.CDK_OUTDIR = outdir;

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});
