import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminToken, api, newPage, signIn, type Harness, useDashboard } from './harness.js';

// Issue 11: the dashboard's page actions (agents, tasks, settings) in Debian's Chromium against a
// real `sutazai up`; the doctor's apply and rollback are in doctor-actions.test.ts (real engine).
let h: Harness;
let page: Page;
let problems: string[];
let token: string;

interface Agent {
  id: string;
  name: string;
  description: string;
}
interface Task {
  id: string;
  status: string;
  payload: unknown;
}

const TOMORROW = () => new Date(Date.now() + 86_400_000).toISOString();

useDashboard({ ready: (d) => void ({ h, page, problems, token } = d) });

const agentByName = async (name: string): Promise<Agent> => {
  const { items } = await api<{ items: Agent[] }>(h.base, token, 'GET', '/api/v1/agents?limit=100');
  return items.find((a) => a.name === name)!;
};

/** `sutazai_events_streams_open` from /metrics (public on a loopback bind). */
const openStreams = async (): Promise<number> => {
  const text = await (await fetch(`${h.base}/metrics`)).text();
  return Number(/^sutazai_events_streams_open (\d+)$/m.exec(text)?.[1] ?? NaN);
};

/** The task ids the list shows now. */
const rowIds = (p: Page) =>
  p
    .locator('[data-testid="tasks"] tr[data-task]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task') ?? ''));

describe('the dashboard page actions in a browser', { timeout: 120_000 }, () => {
  it('creates an API-defined agent and edits it; a file-defined agent is read-only and names its file', async () => {
    await page.goto(h.base + '/agents');
    await page.getByRole('button', { name: 'New agent' }).click();
    const create = page.getByRole('form', { name: 'New agent' });
    await create.getByLabel('Name', { exact: true }).fill('summarizer');
    await create.getByLabel('Description').fill('makes text shorter');
    await create.getByLabel('System prompt').fill('Summarise what you are given.');
    await create.getByLabel(/Capabilities/).fill('summary, text');
    await create.getByRole('button', { name: 'Create agent' }).click();

    const card = page.locator('[data-agent="summarizer"]');
    await card.waitFor();
    expect(await card.locator('dd.mono').textContent()).toBe('the API');
    await card.getByRole('button', { name: 'Edit summarizer' }).click();
    const edit = card.getByRole('form', { name: 'Edit summarizer' });
    expect(await edit.getByLabel('Description').inputValue()).toBe('makes text shorter');
    await edit.getByLabel('Description').fill('makes long text short');
    await edit.getByRole('button', { name: 'Save' }).click();
    await card.getByText('makes long text short').waitFor();
    expect((await agentByName('summarizer')).description).toBe('makes long text short');

    const file = page.locator('[data-agent="echoer"]');
    // Its path relative to the agents directory (agents/echoer.md under the harness's cwd).
    expect(await file.locator('dd.mono').textContent()).toBe('echoer.md');
    await file.getByText('Defined by a file: edit the file to change it.').waitFor();
    expect(await file.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
  });

  it('cancels a pending task from its page', async () => {
    const { id } = await api<{ id: string }>(h.base, token, 'POST', '/api/v1/tasks', {
      type: 'agent.run',
      agent: 'echoer',
      payload: { prompt: 'not before tomorrow' },
      run_at: TOMORROW(),
    });
    await page.goto(`${h.base}/tasks/${id}`);
    await page.locator('#task-title [data-status="pending"]').waitFor();
    await page.getByRole('button', { name: 'Cancel task' }).click();
    await page.locator('#task-title [data-status="cancelled"]').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Cancel task' }).count()).toBe(0);
    expect((await api<Task>(h.base, token, 'GET', `/api/v1/tasks/${id}`)).status).toBe('cancelled');
  });

  it('re-runs a dead task as a new task with the same payload and agent', async () => {
    // The model refuses the only attempt (a 400 is not retried): the task is dead.
    h.double.script([{ status: 400, error: 'the double refuses this one' }]);
    const { id } = await api<{ id: string }>(h.base, token, 'POST', '/api/v1/tasks', {
      type: 'agent.run',
      agent: 'echoer',
      payload: { prompt: 'run me twice' },
      max_attempts: 1,
    });
    await page.goto(`${h.base}/tasks/${id}`);
    await page.locator('#task-title [data-status="dead"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('task-error').waitFor();

    h.double.script([{ content: 'Second time lucky.' }]);
    await page.getByRole('button', { name: 'Re-run as a new task' }).click();
    await page.waitForURL((url) => /\/tasks\/[0-9a-f-]+$/.test(url.pathname) && !url.pathname.endsWith(id));
    const newId = page.url().split('/').pop()!;
    await page.locator('#task-title [data-status="completed"]').waitFor({ timeout: 60_000 });
    const [before, after] = await Promise.all([
      api<Task & { agent_id: string }>(h.base, token, 'GET', `/api/v1/tasks/${id}`),
      api<Task & { agent_id: string }>(h.base, token, 'GET', `/api/v1/tasks/${newId}`),
    ]);
    expect(before.status).toBe('dead');
    expect(after.payload).toEqual(before.payload);
    expect(after.agent_id).toBe(before.agent_id);
  });

  it('filters tasks by state, agent and type (kept in the URL) and pages through them with the cursor', async () => {
    const echoer = await agentByName('echoer');
    const summarizer = await agentByName('summarizer');
    const later = TOMORROW();
    await api(h.base, token, 'POST', '/api/v1/tasks/batch', {
      items: [
        ...Array.from({ length: 27 }, (_, i) => ({
          type: 'agent.run',
          agent_id: echoer.id,
          payload: { prompt: `later ${i}` },
          run_at: later,
        })),
        { type: 'digest.daily', agent_id: summarizer.id, payload: { day: 'monday' }, run_at: later },
      ],
    });
    const want = await api<{ items: Task[] }>(
      h.base,
      token,
      'GET',
      `/api/v1/tasks?status=pending&agent_id=${echoer.id}&limit=200`,
    );
    expect(want.items.length).toBeGreaterThan(25);

    await page.goto(h.base + '/tasks');
    await page.getByLabel('State').selectOption('pending');
    await page.waitForURL(/status=pending/);
    await page.getByLabel('Agent').selectOption({ label: 'echoer' });
    await page.waitForURL(new RegExp(`agent_id=${echoer.id}`));
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toHaveLength(25);
    const first = await rowIds(page);
    expect(await page.getByRole('button', { name: 'Newer' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toHaveLength(want.items.length - 25);
    const second = await rowIds(page);
    expect([...first, ...second]).toEqual(want.items.map((t) => t.id));
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toEqual(first);

    // A shared link opens the same filtered list; the type filter narrows it to the one digest.
    await page.goto(`${h.base}/tasks?status=pending&agent_id=${summarizer.id}`);
    await page.getByLabel('Type').fill('digest.daily');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=digest.daily/);
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toHaveLength(1);
    expect(await page.locator('[data-testid="tasks"] tbody').textContent()).toContain('digest.daily');
    await page.getByLabel('State').selectOption('dead');
    await page.getByText('No tasks match.').waitFor();
  });

  it('creates an API key shown once, which the API accepts until it is revoked from the page', async () => {
    const me = (key: string) => fetch(`${h.base}/api/v1/auth/me`, { headers: { 'x-api-key': key } });
    await page.goto(h.base + '/settings');
    await page.getByLabel('Name of a new key').fill('ci-key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent())!.trim();
    await page.getByText('it is shown only once').waitFor();
    expect((await me(key)).status).toBe(200);
    // Only its prefix is listed; after a reload the key itself is gone from the page.
    await page.reload();
    await page.getByRole('button', { name: 'Revoke ci-key' }).waitFor();
    // The indicator follows the stream even when it went live before the indicator subscribed.
    await page.locator('[data-live="live"]').waitFor({ timeout: 10_000 });
    // The streams of the documents this page left (a navigation aborts their fetch) are closed at
    // once, not when a heartbeat finds them: only this document's stream is open.
    await expect.poll(() => openStreams(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    await page.getByRole('button', { name: 'Revoke ci-key' }).click();
    await page.getByText('Key ci-key revoked.').waitFor();
    const row = page.getByRole('region', { name: 'API keys' }).locator('tr', { hasText: 'ci-key' });
    await expect.poll(() => row.getByRole('button').count()).toBe(0);
    expect((await row.textContent())?.toLowerCase()).toContain('revoked');
    await expect.poll(async () => (await me(key)).status, { timeout: 5000 }).toBe(401);
  });

  it('lets an admin create, disable and enable a user; that user changes their own password', async () => {
    await page.goto(h.base + '/settings');
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('carol');
    await form.getByLabel('Password').fill('carol-first-password');
    await form.getByLabel('Role').selectOption('user');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('User carol created.').waitFor();
    await page.getByRole('button', { name: 'Disable carol' }).click();
    await page.getByRole('button', { name: 'Enable carol' }).waitFor();
    await expect(adminToken(h.base, 'carol', 'carol-first-password')).rejects.toThrow(/login: 40[13]/);
    await page.getByRole('button', { name: 'Enable carol' }).click();
    await page.getByRole('button', { name: 'Disable carol' }).waitFor();
    // The API refuses disabling yourself, so the page offers no such button.
    expect(await page.getByRole('button', { name: 'Disable admin' }).count()).toBe(0);

    const carol = await newPage(h.browser);
    try {
      await signIn(carol.page, h.base, 'carol', 'carol-first-password');
      await carol.page.goto(h.base + '/settings');
      await carol.page.getByLabel('Current password').fill('carol-first-password');
      await carol.page.getByLabel(/New password/).fill('carol-second-password');
      await carol.page.getByRole('button', { name: 'Change password' }).click();
      await carol.page.getByText('Password changed.').waitFor();
      await carol.page.getByRole('button', { name: 'Sign out' }).click();
      await carol.page.getByRole('heading', { name: 'Sign in to SutazAI' }).waitFor();
      await signIn(carol.page, h.base, 'carol', 'carol-second-password');
      expect(await carol.page.getByTestId('whoami').textContent()).toContain('carol (user)');
      await expect(adminToken(h.base, 'carol', 'carol-first-password')).rejects.toThrow(/login: 401/);
      problems.push(...carol.problems);
    } finally {
      await carol.context.close();
    }
  });

  it('causes no Content-Security-Policy violation or page error', () => {
    expect(problems).toEqual([]);
  });
});
