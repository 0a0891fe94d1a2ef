import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSafeBind, loadConfig, redactConfig } from '../../../src/config/index.js';
import { SutazaiError } from '../../../src/errors.js';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sutazai-config-'));
}

function failure(fn: () => unknown): SutazaiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SutazaiError) return err;
    throw err;
  }
  throw new Error('expected a SutazaiError');
}

describe('loadConfig', () => {
  it('runs on defaults with no file and no environment', () => {
    const { config, file } = loadConfig({ env: {}, cwd: dir() });
    expect(file).toBeUndefined();
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 10010 });
    expect(config.dataDir).toBe('.sutazai');
    expect(config.database.url).toBeUndefined();
    expect(config.auth.enabled).toBe(true);
  });

  it('lets environment variables override the file', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sutazai.yaml'), 'http:\n  port: 9000\n  host: 127.0.0.2\n');
    const { config } = loadConfig({
      env: { SUTAZAI_PORT: '9100', OLLAMA_HOST: 'http://127.0.0.1:10104' },
      cwd,
    });
    expect(config.http.port).toBe(9100);
    expect(config.http.host).toBe('127.0.0.2');
    expect(config.llm.ollamaHost).toBe('http://127.0.0.1:10104');
  });

  it('names the environment variable that holds a bad value', () => {
    const err = failure(() => loadConfig({ env: { SUTAZAI_PORT: 'eighty' }, cwd: dir() }));
    expect(err.code).toBe('SUTAZAI_ERR_CONFIG_INVALID');
    expect(err.message).toContain('http.port (env SUTAZAI_PORT)');
  });

  it('names the file and key path of an unknown or mistyped key', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sutazai.yaml'), 'http:\n  prot: 1\nworker:\n  concurrency: -3\n');
    const err = failure(() => loadConfig({ env: {}, cwd }));
    expect(err.message).toContain(path.join(cwd, 'sutazai.yaml'));
    const paths = (err.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['http', 'worker.concurrency']));
    expect(err.message).toContain('prot');
  });

  it('reports malformed YAML with file and line, never a stack', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sutazai.yaml'), 'http:\n  port: 1\n bad: [\n');
    const err = failure(() => loadConfig({ env: {}, cwd }));
    expect(err.code).toBe('SUTAZAI_ERR_CONFIG_UNREADABLE');
    expect(err.message).toMatch(/sutazai\.yaml:\d+/);
  });

  it('fails when an explicitly named file is missing', () => {
    const err = failure(() => loadConfig({ env: { SUTAZAI_CONFIG: 'nope.yaml' }, cwd: dir() }));
    expect(err.code).toBe('SUTAZAI_ERR_CONFIG_UNREADABLE');
  });

  it('redacts secrets for printing', () => {
    const { config } = loadConfig({
      env: { SUTAZAI_ADMIN_PASSWORD: 'correct-horse-battery', DATABASE_URL: 'postgres://u:pw@db:5432/x' },
      cwd: dir(),
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('correct-horse-battery');
    expect(printed).not.toContain(':pw@');
    expect(printed).toContain('postgres://u:***@db:5432/x');
  });

  it('refuses a non-loopback bind with auth disabled', () => {
    const { config } = loadConfig({ env: { SUTAZAI_HOST: '0.0.0.0', SUTAZAI_AUTH: 'false' }, cwd: dir() });
    expect(failure(() => assertSafeBind(config)).code).toBe('SUTAZAI_ERR_CONFIG_INSECURE_BIND');
    const loopback = loadConfig({ env: { SUTAZAI_AUTH: 'false' }, cwd: dir() }).config;
    expect(() => assertSafeBind(loopback)).not.toThrow();
  });

  it('says what a port must be when SUTAZAI_PORT is not one', () => {
    for (const value of ['abc', '1.5', '-1', '70000']) {
      const err = failure(() => loadConfig({ env: { SUTAZAI_PORT: value }, cwd: dir() }));
      expect(err.code, value).toBe('SUTAZAI_ERR_CONFIG_INVALID');
      expect(err.message, value).toContain('http.port (env SUTAZAI_PORT): must be a port number (1-65535)');
    }
    expect(loadConfig({ env: { SUTAZAI_PORT: '0' }, cwd: dir() }).config.http.port).toBe(0);
  });

  it('reads http.allowedHosts from a comma-separated SUTAZAI_ALLOWED_HOSTS', () => {
    const { config } = loadConfig({ env: { SUTAZAI_ALLOWED_HOSTS: 'a.example, b.example,' }, cwd: dir() });
    expect(config.http.allowedHosts).toEqual(['a.example', 'b.example']);
  });
});
