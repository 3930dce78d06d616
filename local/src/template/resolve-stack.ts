/**
 * A whole stack resolved for the local cloud. Multi-stack apps resolve stack by stack in manifest
 * (dependency) order, each stack receiving the exports of the stacks before it.
 */
import { createIntrinsicResolver, IntrinsicResolutionError, type ResolveContext } from './intrinsics';
import type { CfnTemplate } from './template-types';

export interface ResolveStackOptions extends Omit<ResolveContext, 'stackName' | 'template' | 'exports'> {
  /** Exports of the stacks resolved so far; none when omitted. */
  readonly exports?: ReadonlyMap<string, string>;
}

export interface ResolvedResource {
  readonly type: string;
  /** What `Ref` returns. */
  readonly physicalId: string;
  /** `Properties` with every intrinsic resolved and `AWS::NoValue` keys removed. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** What `Fn::GetAtt` returns, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
  /** `UpdatePolicy`, intrinsics resolved, when the resource has one. */
  readonly updatePolicy?: Readonly<Record<string, unknown>>;
}

export interface ResolvedStack {
  /** The resources that exist: those whose `Condition` is false are left out. */
  readonly resources: Readonly<Record<string, ResolvedResource>>;
  readonly outputs: Readonly<Record<string, string>>;
  /** Export name to value, for the `Fn::ImportValue` of later stacks. */
  readonly exports: Readonly<Record<string, string>>;
  /** The export name of each exported output, by output name. */
  readonly exportNames: Readonly<Record<string, string>>;
}

export function resolveStack(
  stackName: string,
  template: CfnTemplate,
  opts: ResolveStackOptions,
): ResolvedStack {
  const resolver = createIntrinsicResolver({
    ...opts,
    stackName,
    template,
    exports: opts.exports ?? new Map<string, string>(),
  });

  const resources: Record<string, ResolvedResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!resolver.isCreated(logicalId)) continue;
    const path = `Resources.${logicalId}`;
    const properties = resolver.resolve(resource.Properties ?? {}, `${path}.Properties`);
    const updatePolicy =
      resource.UpdatePolicy === undefined
        ? undefined
        : resolver.resolve(resource.UpdatePolicy, `${path}.UpdatePolicy`);
    resources[logicalId] = {
      type: resource.Type,
      physicalId: resolver.physicalId(logicalId, path),
      properties: isRecord(properties) ? properties : {},
      attributes: resolver.attributes(logicalId, path),
      ...(isRecord(updatePolicy) ? { updatePolicy } : {}),
    };
  }

  const outputs: Record<string, string> = {};
  const exports: Record<string, string> = {};
  const exportNames: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    const path = `Outputs.${name}`;
    if (output.Condition !== undefined && !resolver.condition(output.Condition, `${path}.Condition`))
      continue;
    const value = outputText(resolver.resolve(output.Value, `${path}.Value`), `${path}.Value`);
    outputs[name] = value;
    if (output.Export === undefined) continue;
    const exportName = outputText(
      resolver.resolve(output.Export.Name, `${path}.Export.Name`),
      `${path}.Export.Name`,
    );
    if (Object.hasOwn(exports, exportName)) {
      throw new IntrinsicResolutionError(`${path}.Export.Name`, `export '${exportName}' is declared twice`);
    }
    exports[exportName] = value;
    exportNames[name] = exportName;
  }

  return { resources, outputs, exports, exportNames };
}

function outputText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicResolutionError(
    path,
    `an output must resolve to a string, got ${JSON.stringify(value) ?? 'nothing'}`,
  );
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
