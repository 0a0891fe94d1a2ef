import { severityRank, type Finding, type Severity } from '../types.js';

export interface WebhookTarget {
  url: string;
  format: 'slack' | 'json';
  minSeverity: Severity;
}

export type AlertKind = 'finding:new' | 'finding:resolved' | ActionKind;

/** Something the platform did by itself (not a finding), reported through the same webhooks. */
export type ActionKind = 'optimizer:step';

export interface ActionReport {
  /** One line for chat webhooks. */
  text: string;
  /** The event's fields for JSON webhooks. */
  data: Record<string, unknown>;
}

/** Slack-compatible `{"text"}` or the plain JSON event of an action. */
export function actionBody(target: WebhookTarget, kind: ActionKind, a: ActionReport): unknown {
  return target.format === 'slack' ? { text: `[sutazai] ${a.text}` } : { event: kind, ...a.data };
}

/** Slack-compatible `{"text"}` or the plain JSON event. */
export function webhookBody(target: WebhookTarget, kind: AlertKind, f: Finding): unknown {
  if (target.format === 'slack') {
    const verb = kind === 'finding:new' ? 'NEW' : 'RESOLVED';
    return {
      text: `[sutazai doctor] ${verb} ${f.severity.toUpperCase()} ${f.ruleId} ${f.service}: ${f.message}`,
    };
  }
  return { event: kind, finding: f };
}

export function wants(target: WebhookTarget, f: Finding): boolean {
  return severityRank(f.severity) >= severityRank(target.minSeverity);
}

/** Posts with a timeout; resolves to an error message instead of throwing. */
export async function postWebhook(
  target: WebhookTarget,
  body: unknown,
  timeoutMs = 5000,
): Promise<string | undefined> {
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, a timeout…) is what helps.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message;
    return why ? `${(err as Error).message}: ${why}` : (err as Error).message;
  }
}
