import {
  GetAliasCommand,
  PreconditionFailedException,
  UpdateAliasCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { AliasRouting } from '../domain/rollout';
import type { AliasReading, AliasWriteOutcome, FunctionAliases } from '../ports/function-aliases';

/**
 * Lambda's aliases: `GetAlias` and `UpdateAlias` with the `RevisionId` read, so that a write made on a
 * stale reading fails (`PreconditionFailedException`) instead of overwriting someone else's. Weights are
 * percent in the domain, fractions (0–1) in Lambda's `AdditionalVersionWeights`.
 */
export class LambdaFunctionAliases implements FunctionAliases {
  constructor(private readonly props: { readonly client: LambdaClient }) {}

  async read(functionName: string, aliasName: string): Promise<AliasReading> {
    const alias = await this.props.client.send(
      new GetAliasCommand({ FunctionName: functionName, Name: aliasName }),
    );
    if (alias.FunctionVersion === undefined || alias.RevisionId === undefined) {
      throw new Error(`GetAlias of ${functionName}:${aliasName} answered without a version or a revision.`);
    }
    const weights = Object.fromEntries(
      Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).map(([version, fraction]) => [
        version,
        toPercent(fraction),
      ]),
    );
    return { routing: { functionVersion: alias.FunctionVersion, weights }, revisionId: alias.RevisionId };
  }

  async write(
    functionName: string,
    aliasName: string,
    routing: AliasRouting,
    revisionId: string,
  ): Promise<AliasWriteOutcome> {
    try {
      await this.props.client.send(
        new UpdateAliasCommand({
          FunctionName: functionName,
          Name: aliasName,
          FunctionVersion: routing.functionVersion,
          // An empty map removes the extra version: a routing of one version alone.
          RoutingConfig: {
            AdditionalVersionWeights: Object.fromEntries(
              Object.entries(routing.weights).map(([version, percent]) => [version, percent / 100]),
            ),
          },
          RevisionId: revisionId,
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof PreconditionFailedException) return 'revision-changed';
      throw error;
    }
  }
}

/** A fraction as a percent, rid of the binary noise of `0.01 * 100`. */
function toPercent(fraction: number): number {
  return Math.round(fraction * 100 * 1_000_000) / 1_000_000;
}
