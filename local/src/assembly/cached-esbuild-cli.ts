/**
 * `cached-esbuild <esbuild> [args…]`: what the npx shim runs for `npx --no-install esbuild …` during a
 * synthesis that names a bundle cache (`LOCAL_CLOUD_BUNDLE_CACHE`). See `bundle-cache.ts`.
 */
import { runCachedEsbuild } from './bundle-cache';

const [esbuild, ...args] = process.argv.slice(2);
const cacheDir = process.env.LOCAL_CLOUD_BUNDLE_CACHE;
if (esbuild === undefined || cacheDir === undefined || cacheDir === '') {
  process.stderr.write('usage: cached-esbuild <esbuild> [args…], with LOCAL_CLOUD_BUNDLE_CACHE set\n');
  process.exitCode = 2;
} else {
  process.exitCode = runCachedEsbuild({ esbuild, args, cwd: process.cwd(), cacheDir });
}
