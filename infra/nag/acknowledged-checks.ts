import {
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type PolicyViolation,
} from 'aws-cdk-lib';
import type { Stage } from '../app-settings';

/**
 * A finding of a rule pack that this app accepts, and why: the rule (`AwsSolutions-IAM5[Resource::*]`,
 * or a pattern of such ids) on the constructs whose path matches `at`.
 */
export interface Acknowledgment {
  readonly rule: RegExp;
  readonly at: RegExp;
  readonly reason: string;
  /** Only in these stages (`shop:stage`). @default every stage */
  readonly stages?: readonly Stage[];
}

/**
 * Runs rule packs (cdk-nag's `AwsSolutionsChecks`, `ServerlessChecks`) as one validation plugin and
 * drops the findings an acknowledgment covers; what is left fails the synthesis. The acknowledgments
 * are patterns kept in one list with their reasons (`infra/nag/acknowledgments.ts`), rather than exact
 * finding ids (cdk-nag 3's `Validations.of(x).acknowledge`) spread over the constructs: ids such as
 * `AwsSolutions-IAM5[Resource::<ReadModelTable152641BF.Arn>/index/*]` carry generated logical ids.
 */
export class AcknowledgedChecks implements IPolicyValidationPlugin {
  public readonly name = 'shop-acknowledged-checks';
  /** Per acknowledgment, how many findings it covered in the last validation. */
  public readonly matches = new Map<Acknowledgment, number>();

  constructor(
    private readonly packs: readonly IPolicyValidationPlugin[],
    private readonly acknowledgments: readonly Acknowledgment[],
  ) {}

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = this.packs.flatMap((pack) => pack.validate(context).violations);
    return this.report(violations);
  }

  /** The findings no acknowledgment covers, counting what each acknowledgment covered. */
  report(violations: readonly PolicyViolation[]): PolicyValidationPluginReport {
    this.matches.clear();
    const left: PolicyViolation[] = [];
    for (const violation of violations) {
      const resources = violation.violatingResources.filter((resource) => {
        const acknowledgment = this.acknowledgments.find(
          (candidate) =>
            candidate.rule.test(violation.ruleName) && candidate.at.test(resource.constructPath ?? ''),
        );
        if (acknowledgment === undefined) return true;
        this.matches.set(acknowledgment, (this.matches.get(acknowledgment) ?? 0) + 1);
        return false;
      });
      if (resources.length > 0) left.push({ ...violation, violatingResources: resources });
    }
    return { success: left.length === 0, violations: left };
  }
}
