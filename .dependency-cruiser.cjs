/** House rules of ARCHITECTURE.md §5, enforced on every `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'functions/<context>/domain/ holds pure logic: no AWS SDK, no CDK, no adapters, no Powertools.',
      severity: 'error',
      from: { path: '^functions/[^/]+/domain/' },
      to: {
        path: [
          '^node_modules/(@aws-sdk|aws-cdk-lib|constructs|@aws-lambda-powertools)/',
          '^functions/[^/]+/(adapters|handlers)/',
        ],
      },
    },
    {
      name: 'shared-is-a-kernel',
      comment: 'shared/ is the runtime kernel: it never imports functions/, infra/, local/ or the CDK.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ['^functions/', '^infra/', '^local/', '^node_modules/(aws-cdk-lib|constructs)/'] },
    },
    {
      name: 'contexts-meet-through-contracts',
      comment: 'A bounded context imports another only through its contracts/.',
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: ['^functions/$1/', '^functions/[^/]+/contracts/'] },
    },
    {
      name: 'local-cloud-runs-the-template',
      comment:
        'local/ is a package of its own that runs whatever the synthesized template says: it knows nothing of the app.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: ['^functions/', '^infra/', '^shared/', '^test/'] },
    },
    {
      name: 'local-cloud-through-its-entry',
      comment:
        "The app uses the local cloud through its public entry only ('cdk-local-cloud', local/src/index.ts).",
      severity: 'error',
      from: { pathNot: '^local/' },
      to: { path: '^local/', pathNot: '^local/src/index\\.ts$' },
    },
    {
      name: 'runtime-code-has-no-cdk',
      comment: 'Lambda code is bundled for the runtime: no CDK inside it.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: ['^infra/', '^local/', '^node_modules/(aws-cdk-lib|constructs)/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|cdk.out|\\.local)/' },
  },
};
