import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithService } from '../../helpers/services.js';
import { docker, IMAGE, removeByPrefix, runContainer } from '../../services/doctor/docker-helpers.js';
import { type Harness, useDashboard } from './harness.js';

/**
 * Issue 11, the Doctor page: the fix plan with its compose diff, apply after an explicit
 * confirmation, then roll back from the backups list — in Chromium, against a real `sutazai up`
 * whose doctor reads a real Docker engine (its scope: this test's containers only, by
 * `doctor.nameFilter`, so nothing else on the engine is touched). Under CI=true a missing
 * DOCKER_HOST fails (test/helpers/services.ts).
 */
describeWithService('DOCKER_HOST', 'the Doctor page applies a fix and rolls it back', () => {
  const prefix = `${process.env.SUTAZAI_TEST_PREFIX ?? 'sutazai-test'}-dash-${randomBytes(3).toString('hex')}`;
  const container = `${prefix}-api`;
  const compose = `name: ${prefix}\nservices:\n  api: # no limits yet\n    image: ${IMAGE}\n    network_mode: none\n`;
  let h: Harness;
  let page: Page;
  let problems: string[];

  const memoryLimit = async () => Number(await docker('inspect', '-f', '{{.HostConfig.Memory}}', container));

  useDashboard({
    before: async () => {
      await runContainer({
        name: container,
        compose: { project: prefix, service: 'api' },
        limits: false,
        cmd: ['sleep', '600'],
      });
    },
    files: {
      'compose.yaml': compose,
      'sutazai.yaml': JSON.stringify({
        doctor: {
          composeFiles: ['compose.yaml'],
          nameFilter: prefix,
          dockerTimeoutMs: 60_000,
          verify: { windowMs: 2000, pollMs: 500 },
        },
      }),
    },
    ready: (d) => void ({ h, page, problems } = d),
    after: async () => {
      await removeByPrefix(prefix);
      expect(await docker('ps', '-aq', '--filter', `name=${prefix}`)).toBe('');
    },
    timeoutMs: 240_000,
  });

  it('shows the plan with its compose diff, applies it only after confirmation, and rolls it back', async () => {
    const composeFile = path.join(h.cwd, 'compose.yaml');
    await page.goto(h.base + '/doctor');
    await page.getByText('no-memory-limit').first().waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'Plan fixes' }).click();
    const diff = page.getByLabel('Changes to compose.yaml');
    await diff.waitFor({ timeout: 60_000 });
    const diffText = (await diff.textContent()) ?? '';
    expect(diffText).toContain('+    deploy:');
    expect(diffText).toContain('+          memory: 512M');
    await page.getByText('set-limits').first().waitFor();
    // The plan is a dry run: nothing changed yet.
    expect(await memoryLimit()).toBe(0);
    expect(await readFile(composeFile, 'utf8')).toBe(compose);

    // Apply asks first; "No" leaves everything as it was.
    await page.getByRole('button', { name: 'Apply…' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText(/Apply 1 action\(s\)\?/).waitFor();
    await confirm.getByRole('button', { name: 'No' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect(await memoryLimit()).toBe(0);

    await page.getByRole('button', { name: 'Apply…' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, apply' }).click();
    const outcome = page.getByTestId('apply-outcome');
    await outcome.waitFor({ timeout: 90_000 });
    expect(await outcome.locator('[data-status]').getAttribute('data-status')).toBe('applied');
    expect(await memoryLimit()).toBe(512 * 1024 * 1024);
    expect(await readFile(composeFile, 'utf8')).toContain('memory: 512M');
    expect(await readFile(composeFile, 'utf8')).toContain('# no limits yet');

    // The backup the apply took is listed; rolling back asks the browser to confirm.
    const rollBack = page.getByRole('button', { name: /^Roll back to / });
    await rollBack.waitFor({ timeout: 30_000 });
    page.once('dialog', (d) => void d.accept());
    await rollBack.click();
    await page.getByText(/Backup \S+ restored\./).waitFor({ timeout: 60_000 });
    expect(await memoryLimit()).toBe(0);
    expect(await readFile(composeFile, 'utf8')).toBe(compose);
    await page.locator('#backups-title ~ * [data-status="restored"]').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
  }, 240_000); // a real engine: apply, verification and rollback each take seconds under load
});
