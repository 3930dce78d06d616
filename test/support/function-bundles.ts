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
  for (const [name, bundle] of functionBundles(assemblyDir)) sizes.set(name, fs.statSync(bundle).size);
  return sizes;
}

/** The source files each function's `index.js` was built from, per its source map, by `logicalName`. */
export function functionBundleSources(assemblyDir: string): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const [name, bundle] of functionBundles(assemblyDir)) {
    const map = JSON.parse(fs.readFileSync(`${bundle}.map`, 'utf8')) as { sources?: string[] };
    sources.set(name, map.sources ?? []);
  }
  return sources;
}

/** Each function's `index.js` path, by `logicalName`. */
function functionBundles(assemblyDir: string): Map<string, string> {
  const bundles = new Map<string, string>();
  for (const file of fs.readdirSync(assemblyDir).filter((name) => name.endsWith('.template.json'))) {
    const stackName = file.replace(/\.template\.json$/, '');
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8')) as {
      Resources?: Record<string, { Type: string; Properties?: { Code?: { S3Key?: unknown } } }>;
    };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const key = resource.Properties?.Code?.S3Key;
      if (resource.Type !== 'AWS::Lambda::Function' || typeof key !== 'string') continue;
      const bundle = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
      if (fs.existsSync(bundle)) bundles.set(logicalName(`${stackName}-${logicalId}`), bundle);
    }
  }
  return bundles;
}
