import { useState, type FormEvent } from 'react';
import { useIsAdmin, useSession } from '../../api/context.js';
import type { ApiKey, User } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { ErrorBox, StateView, TableView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';

function useAction() {
  const [error, setError] = useState<Error | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = async (fn: () => Promise<string>) => {
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await fn());
    } catch (err) {
      setError(err as Error);
    }
  };
  return { error, done, run };
}

function Password() {
  const { client } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const action = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await client.post('/api/v1/auth/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      return 'Password changed. Other sessions were signed out.';
    });
  };
  return (
    <section className="card" aria-labelledby="pw-title">
      <h2 id="pw-title">Password</h2>
      <form className="stack" onSubmit={submit}>
        <label htmlFor="pw-current">Current password</label>
        <input
          id="pw-current"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <label htmlFor="pw-new">New password (at least 12 characters)</label>
        <input
          id="pw-new"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <button type="submit" className="primary">
          Change password
        </button>
      </form>
      {action.done && <p role="status">{action.done}</p>}
      {action.error && <ErrorBox error={action.error} />}
    </section>
  );
}

function ApiKeys() {
  const { client } = useSession();
  const keys = useApi<{ keys: ApiKey[] }>('/api/v1/auth/api-keys');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const action = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const k = await client.post<ApiKey & { key: string }>('/api/v1/auth/api-keys', { name: name.trim() });
      setCreated(k.key);
      setName('');
      keys.reload();
      return `Key ${k.name} created.`;
    });
  };
  const revoke = (k: ApiKey) =>
    void action.run(async () => {
      setCreated(undefined);
      await client.call('DELETE', `/api/v1/auth/api-keys/${k.id}`);
      keys.reload();
      return `Key ${k.name} revoked.`;
    });
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <form className="filters" onSubmit={create}>
        <label>
          Name of a new key
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
      {created && (
        <div className="hint" role="status">
          <p>Copy this key now: it is shown only once.</p>
          <code className="mono secret" data-testid="new-key">
            {created}
          </code>
        </div>
      )}
      {action.done && !created && <p role="status">{action.done}</p>}
      {action.error && <ErrorBox error={action.error} />}
      <TableView
        state={keys}
        label="API keys"
        empty="No API keys."
        isEmpty={(d) => d.keys.length === 0}
        columns={['Name', 'Prefix', 'Role', 'Last used', <span className="visually-hidden">Actions</span>]}
        rows={(d) =>
          d.keys.map((k) => (
            <tr key={k.id}>
              <th scope="row">{k.name}</th>
              <td className="mono">{k.prefix}…</td>
              <td>{k.role}</td>
              <td>
                <TimeAgo at={k.last_used_at} />
              </td>
              <td>
                {k.revoked_at ? (
                  <StatusBadge status="cancelled" label="revoked" />
                ) : (
                  <button type="button" onClick={() => revoke(k)}>
                    Revoke {k.name}
                  </button>
                )}
              </td>
            </tr>
          ))
        }
      />
    </section>
  );
}

function Users() {
  const { client, me } = useSession();
  const users = useApi<{ users: User[] }>('/api/v1/users');
  const [v, setV] = useState({ username: '', password: '', role: 'user' });
  const action = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await client.post('/api/v1/users', v);
      setV({ username: '', password: '', role: 'user' });
      users.reload();
      return `User ${v.username} created.`;
    });
  };
  const toggle = (u: User) =>
    void action.run(async () => {
      await client.call('PATCH', `/api/v1/users/${u.id}`, { disabled: !u.disabled });
      users.reload();
      return `User ${u.username} ${u.disabled ? 'enabled' : 'disabled'}.`;
    });
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form className="filters" onSubmit={create} aria-label="New user">
        <label>
          Username
          <input required value={v.username} onChange={(e) => setV({ ...v, username: e.target.value })} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="new-password"
            minLength={12}
            required
            value={v.password}
            onChange={(e) => setV({ ...v, password: e.target.value })}
          />
        </label>
        <label>
          Role
          <select value={v.role} onChange={(e) => setV({ ...v, role: e.target.value })}>
            <option>user</option>
            <option>admin</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
      {action.done && <p role="status">{action.done}</p>}
      {action.error && <ErrorBox error={action.error} />}
      <StateView state={users} empty="No users." isEmpty={(d) => d.users.length === 0}>
        {(d) => (
          <ul className="plain">
            {d.users.map((u) => (
              <li key={u.id}>
                <strong>{u.username}</strong> · {u.role} {u.disabled && <StatusBadge status="disabled" />}{' '}
                <span className="muted small">
                  since <TimeAgo at={u.created_at} />
                </span>{' '}
                {/* The API refuses disabling yourself: no button that can only fail. */}
                {u.id !== me.id && (
                  <button type="button" onClick={() => toggle(u)}>
                    {u.disabled ? 'Enable' : 'Disable'} {u.username}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </StateView>
    </section>
  );
}

/** Own password and API keys; users for admins. */
export function SettingsPage() {
  const admin = useIsAdmin();
  return (
    <div className="grid wide">
      <Password />
      <ApiKeys />
      {admin && <Users />}
    </div>
  );
}
