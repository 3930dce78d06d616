// Lambda runs Node.js 22; the SDK's notice about this machine's older Node.js is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const project = (name, extra = {}) => ({
  displayName: `local-${name}`,
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  // Apps synthesized by these tests write to one directory per test file, removed after it.
  setupFilesAfterEnv: ['<rootDir>/src/testing/jest-cdk-outdir.ts'],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit'),
    // The integration suites boot the local cloud (workers), one at a time, each on a DynamoDB Local of
    // its own (README, "One DynamoDB Local for a run": why not a shared one here).
    project('integration', { slowTestThreshold: 30 }),
  ],
  testTimeout: 60_000,
};
