#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` (prepare) and `npm run build` produce dist/.
import '../dist/cli/bin.js';
