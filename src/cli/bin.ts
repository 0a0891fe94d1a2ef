import { main } from './main.js';

// The process entry point (bin/sutazai.js runs the compiled copy; tests run this file with tsx).
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
