/**
 * Synthesizes a CDK stack and resolves the few intrinsics API Gateway templates use (Ref, Fn::GetAtt,
 * Fn::Join, pseudo parameters), giving each resource a fake physical id the way the local cloud would.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { ResolvedResource } from '../../../src/apigateway/rest-api-model';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface SynthesizedRestApis {
  readonly resources: ResolvedResource[];
  readonly rootResourceIds: Record<string, string>;
  /** Physical id by logical id. */
  readonly physicalIds: Record<string, string>;
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

export function synthesizeRestApis(define: (stack: Stack) => void): SynthesizedRestApis {
  const app = new App();
  const stack = new Stack(app, 'S');
  define(stack);
  const template = app.synth().getStackByName('S').template as {
    Resources: Record<string, TemplateResource>;
  };
  const resources = template.Resources;

  const physicalIds: Record<string, string> = {};
  const physicalId = (logicalId: string): string => {
    const known = physicalIds[logicalId];
    if (known !== undefined) return known;
    const resource = resources[logicalId];
    if (!resource) throw new Error(`unknown logical id ${logicalId}`);
    const p = resource.Properties ?? {};
    let id: string;
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        id = logicalId;
        break;
      case 'AWS::Lambda::Alias':
        id = `${functionArn(String(resolve(p['FunctionName'])))}:${String(p['Name'])}`;
        break;
      case 'AWS::ApiGateway::Stage':
        id = String(p['StageName']);
        break;
      case 'AWS::ApiGateway::RestApi':
        id = `${logicalId.slice(0, 6).toLowerCase()}api`;
        break;
      default:
        id = `${logicalId}-id`;
    }
    physicalIds[logicalId] = id;
    return id;
  };
  const functionArn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const v = value as Record<string, unknown>;
    if (typeof v['Ref'] === 'string') return PSEUDO[v['Ref']] ?? physicalId(v['Ref']);
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [logicalId, attribute] = getAtt.map(String) as [string, string];
      if (attribute === 'RootResourceId') return `root-${physicalId(logicalId)}`;
      if (attribute === 'Arn' && resources[logicalId]?.Type === 'AWS::Lambda::Function') {
        return functionArn(physicalId(logicalId));
      }
      return `${physicalId(logicalId)}.${attribute}`;
    }
    const join = v['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join as [string, unknown[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, resolve(inner)]));
  };

  const resolved = Object.entries(resources).map(([logicalId, r]): ResolvedResource => ({
    logicalId,
    type: r.Type,
    physicalId: physicalId(logicalId),
    properties: resolve(r.Properties ?? {}) as Record<string, unknown>,
  }));
  const rootResourceIds = Object.fromEntries(
    resolved
      .filter((r) => r.type === 'AWS::ApiGateway::RestApi')
      .map((r) => [r.physicalId, `root-${r.physicalId}`]),
  );
  return { resources: resolved, rootResourceIds, physicalIds };
}
