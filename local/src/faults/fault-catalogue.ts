import { busNameOf, ruleNameOf } from '../cloud/arns';
import type { LoadedResource } from '../cloud/loaders';
import type { EventSourceRef, FaultCatalogue, RestApiRef } from './fault-registry';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const record = (value: unknown): Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * What faults can name, from the resolved templates: the functions that were loaded (with their
 * logical ids), the rules' targets, the buses, the tables, the event source mappings the loader started
 * and the REST APIs the gateway serves.
 */
export function faultCatalogueOf(
  resources: readonly LoadedResource[],
  loadedFunctions: readonly string[],
  eventSources: readonly EventSourceRef[],
  restApis: readonly RestApiRef[],
): FaultCatalogue {
  const loaded = new Set(loadedFunctions);
  const functions = resources
    .filter((r) => r.type === 'AWS::Lambda::Function' && loaded.has(r.physicalId))
    .map((r) => ({ name: r.physicalId, logicalId: r.logicalId }));
  const ruleTargets = resources
    .filter((r) => r.type === 'AWS::Events::Rule')
    .flatMap((rule) => {
      const busName = busNameOf(text(rule.properties.EventBusName));
      const ruleName = text(rule.properties.Name) ?? ruleNameOf(rule.physicalId);
      const targets = Array.isArray(rule.properties.Targets) ? rule.properties.Targets : [];
      return targets.map((raw) => {
        const target = record(raw);
        const targetArn = text(target.Arn) ?? '';
        return { busName, ruleName, targetId: text(target.Id) ?? targetArn, targetArn };
      });
    });
  const buses = [
    'default',
    ...resources
      .filter((r) => r.type === 'AWS::Events::EventBus')
      .map((bus) => text(bus.properties.Name) ?? bus.physicalId),
  ];
  const tables = resources
    .filter((r) => r.type === 'AWS::DynamoDB::Table')
    .map((r) => ({ name: r.physicalId, logicalId: r.logicalId }));
  return { functions, eventSources, ruleTargets, buses, tables, restApis };
}
