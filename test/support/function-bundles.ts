/**
 * The function bundles of a synthesized app, read from its cloud assembly as `cdk deploy` would upload
 * them: each `AWS::Lambda::Function`'s code asset and the `index.js` in it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A function's name without its generated suffixes (`ShopOrders-CreateOrderFunction1A2B3C4D-XYZ` → `ShopOrders-CreateOrderFunction`). */
export function logicalName(functionName: string): string {
  const [stack, construct] = functionName.split('-');
  return `${stack}-${(construct ?? '').replace(/[A-F0-9]{8}$/, '')}`;
}

/** The bytes of each function's `index.js` (its source map beside it not counted), by `logicalName`. */
export function functionBundleBytes(assemblyDir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const file of fs.readdirSync(assemblyDir).filter((name) => name.endsWith('.template.json'))) {
    const stackName = file.replace(/\.template\.json$/, '');
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8')) as {
      Resources?: Record<string, { Type: string; Properties?: { Code?: { S3Key?: unknown } } }>;
    };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const key = resource.Properties?.Code?.S3Key;
      if (resource.Type !== 'AWS::Lambda::Function' || typeof key !== 'string') continue;
      const bundle = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
      if (fs.existsSync(bundle))
        sizes.set(logicalName(`${stackName}-${logicalId}`), fs.statSync(bundle).size);
    }
  }
  return sizes;
}
