// Lambda runs Node.js 22; the SDK's notice about this machine's older Node.js is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const localCloud = require('./local/jest.config.js');

const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const project = (displayName, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${displayName}/**/*.test.ts`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    // Apps synthesized by these tests write to one directory per test file, removed after it.
    project('unit', { setupFilesAfterEnv: ['cdk-local-cloud/jest-cdk-outdir'] }),
    project('infra', { setupFilesAfterEnv: ['cdk-local-cloud/jest-cdk-outdir'] }),
    // The integration suites boot the local cloud (workers), one at a time, each on a DynamoDB Local of
    // its own: a shared one slows down as suites come and go (local/README.md, "One DynamoDB Local").
    project('integration', { slowTestThreshold: 30 }),
    // The user journeys on the target E2E_TARGET names: the local cloud unless set (test/e2e/).
    project('e2e', { slowTestThreshold: 60 }),
    // The local cloud's own suites (its package, `local/`).
    ...localCloud.projects,
  ],
  testTimeout: 60_000,
};
