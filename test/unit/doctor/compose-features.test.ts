import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadComposeProject } from '../../../src/ops/index.js';

const file = path.resolve(import.meta.dirname, '../../fixtures/compose/merge-keys/compose.yaml');

describe('compose specification features', () => {
  it('resolves YAML merge keys (single and list form, local keys win) into the merged model', () => {
    const p = loadComposeProject({ files: [file], env: {} });
    const byName = Object.fromEntries(p.services.map((s) => [s.name, s]));
    expect(byName.api!.config).toEqual({
      restart: 'unless-stopped',
      mem_limit: '256m',
      labels: { team: 'core' },
      image: 'sutazai/api',
    });
    expect(byName.api!.memoryLimit).toBe(256 << 20);
    expect(byName.worker!.config).toMatchObject({ restart: 'unless-stopped', cpus: '0.5', mem_limit: '1g' });
    expect(byName.worker).toMatchObject({ memoryLimit: 1 << 30, cpuLimit: 0.5 });
    expect(byName.worker!.config).not.toHaveProperty('<<');
    expect(byName.worker!.location?.line).toBe(15);
  });

  it("enables every profile with --profile '*' or COMPOSE_PROFILES=*", () => {
    const active = (opts: { profiles?: string[]; env?: Record<string, string> }) =>
      loadComposeProject({
        files: [file],
        env: opts.env ?? {},
        ...(opts.profiles ? { profiles: opts.profiles } : {}),
      })
        .services.filter((s) => s.active)
        .map((s) => s.name)
        .sort();
    expect(active({})).toEqual(['api', 'worker']);
    expect(active({ profiles: ['tools'] })).toEqual(['api', 'debug', 'worker']);
    expect(active({ profiles: ['*'] })).toEqual(['api', 'batch', 'debug', 'worker']);
    expect(active({ env: { COMPOSE_PROFILES: '*' } })).toEqual(['api', 'batch', 'debug', 'worker']);
    expect(active({ env: { COMPOSE_PROFILES: 'nightly, debug' } })).toEqual([
      'api',
      'batch',
      'debug',
      'worker',
    ]);
  });
});
