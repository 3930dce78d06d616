/**
 * The parts of a CloudFormation template the local cloud reads. Values stay `unknown` because any of
 * them may be an intrinsic function until resolved.
 */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, CfnOutput>>;
  readonly Parameters?: Readonly<Record<string, CfnParameter>>;
  /** Condition name to condition expression (`Fn::Equals`, `Fn::And`, …). */
  readonly Conditions?: Readonly<Record<string, unknown>>;
  /** Map name to top-level key to second-level key to value. */
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly DependsOn?: string | readonly string[];
  /** The resource exists only when this condition is true. */
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  /** How an update is carried out, e.g. `CodeDeployLambdaAliasUpdate` on an alias. */
  readonly UpdatePolicy?: Readonly<Record<string, unknown>>;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Export?: { readonly Name: unknown };
  readonly Condition?: string;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
  readonly AllowedValues?: readonly unknown[];
  readonly NoEcho?: boolean | string;
}
