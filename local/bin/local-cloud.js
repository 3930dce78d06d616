#!/usr/bin/env node
// The package runs from its TypeScript sources: tsx compiles them on load (and caches the result).
require('tsx/cjs/api').register();
require('../src/cli.ts');
