#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` (prepare) and `npm run build` produce dist/.
import { main } from '../dist/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
