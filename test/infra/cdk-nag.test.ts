import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app';
import { STAGES, type Stage } from '../../infra/app-settings';
import { AcknowledgedChecks, type Acknowledgment } from '../../infra/nag/acknowledged-checks';
import { ACKNOWLEDGMENTS, acknowledgmentsAt } from '../../infra/nag/acknowledgments';

const outdirs: string[] = [];
function appAt(stage: Stage): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk.out'));
  outdirs.push(outdir);
  return buildApp(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], 'shop:stage': stage } }));
}
afterAll(() => {
  for (const outdir of outdirs) fs.rmSync(outdir, { recursive: true, force: true });
});

/** Per stage: the app synthesized (which runs the packs), and what each acknowledgment covered. */
const covered = new Map<Acknowledgment, number>();

describe('cdk-nag (AwsSolutions and Serverless packs) on the app', () => {
  test.each(STAGES)('%s: synthesizes with no finding left unacknowledged', (stage) => {
    // Act: synthesis runs the packs (infra/app.ts) and throws on what is left.
    const app = appAt(stage);
    app.synth();

    // Assess: the packs' findings, run again on the synthesized tree, are all acknowledged.
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap(
      (pack) => pack.validateScope(app).violations,
    );
    expect(violations.length).toBeGreaterThan(0);
    const checks = new AcknowledgedChecks([], acknowledgmentsAt(stage));
    const report = checks.report(violations);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    for (const [acknowledgment, count] of checks.matches) {
      covered.set(acknowledgment, (covered.get(acknowledgment) ?? 0) + count);
    }
  });

  test('every acknowledgment still covers a finding in some stage, and says why', () => {
    const stale = ACKNOWLEDGMENTS.filter((acknowledgment) => (covered.get(acknowledgment) ?? 0) === 0);
    expect(stale.map(({ rule, at }) => `${rule.source} at ${at.source}`)).toEqual([]);
    for (const { reason } of ACKNOWLEDGMENTS) expect(reason.length).toBeGreaterThan(40);
  });

  test('a finding nobody acknowledged fails the synthesis', () => {
    // Prepare: a queue with neither encryption in transit enforced nor a dead-letter queue.
    const app = appAt('dev');
    new sqs.Queue(app.node.findChild('ShopOrders') as Stack, 'CarelessQueue');
    // Act, Assess
    expect(() => app.synth()).toThrow(/does not require requests to use SSL[\s\S]*ShopOrders\/CarelessQueue/);
  });

  test('prod puts the API behind a web ACL with AWS managed rules, and lets no stage log request bodies', () => {
    const app = appAt('prod');
    const apiStage = app.node.findChild('ShopApiStage') as Stack;
    const template = JSON.stringify(app.synth().getStackByName(apiStage.stackName).template);
    expect(template).toContain('AWSManagedRulesCommonRuleSet');
    expect(template).toContain('AWS::WAFv2::WebACLAssociation');
    expect(template).not.toContain('"DataTraceEnabled":true');
  });
});
