#!/usr/bin/env node
/**
 * Adds lock entries for platform-specific optional dependencies that `npm install` left out
 * because the registry reachable here does not serve every platform build (rollup's native
 * packages, pulled in by vitest). npm 11's `npm ci` refuses a lock whose optional dependencies
 * have no entry; with an entry tagged by os/cpu it simply skips the ones for other platforms.
 * Run after any `npm install` that changes the lock: node scripts/complete-lock-optionals.mjs
 * See docs/decisions/0003-lockfile-optional-platform-packages.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'openharmony',
  'win32',
  'sunos',
  'aix',
  'netbsd',
];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return undefined;
  const entry = { os: [os], cpu: [cpu] };
  if (os === 'linux') entry.libc = [parts.some((p) => p.startsWith('musl')) ? 'musl' : 'glibc'];
  return entry;
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const parent = path ? `${path}/node_modules/${dep}` : `node_modules/${dep}`;
    if (lock.packages[parent] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[`node_modules/${dep}`] = { version, ...platform, dev: pkg.dev, optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock-optionals: added ${added} platform entries`);
