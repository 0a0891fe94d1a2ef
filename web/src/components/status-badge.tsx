const TONE: Record<string, string> = {
  up: 'good',
  ready: 'good',
  completed: 'good',
  closed: 'good',
  idle: 'good',
  active: 'good',
  running: 'info',
  starting: 'info',
  pending: 'info',
  busy: 'info',
  half_open: 'warn',
  degraded: 'warn',
  cancelled: 'muted',
  stopped: 'muted',
  disabled: 'muted',
  unknown: 'muted',
  offline: 'muted',
  down: 'bad',
  dead: 'bad',
  crashloop: 'bad',
  open: 'bad',
  error: 'bad',
  critical: 'bad',
  high: 'bad',
  medium: 'warn',
  low: 'info',
  info: 'muted',
  applied: 'good',
  restored: 'info',
  'rolled-back': 'warn',
  incomplete: 'warn',
  'nothing-to-do': 'muted',
};

/** A state word with a colour and a shape, so it does not depend on colour alone. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const tone = TONE[status] ?? 'muted';
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {label ?? status.replace('_', ' ')}
    </span>
  );
}
