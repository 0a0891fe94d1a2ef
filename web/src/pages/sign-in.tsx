import { useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client.js';
import { ErrorBox } from '../components/state-view.js';

/** Username and password; on a first run, where the generated admin password was printed. */
export function SignIn({ client, onSignedIn }: { client: ApiClient; onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const [hint, setHint] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Sign in · SutazAI';
    fetch('/api/v1/auth/first-run')
      .then((r) => (r.ok ? (r.json() as Promise<{ first_run: boolean; hint: string | null }>) : undefined))
      .then((b) => setHint(b?.first_run ? b.hint : null))
      .catch(() => undefined);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await client.login(username, password);
      onSignedIn();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form onSubmit={submit} className="card sign-in-card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to SutazAI</h1>
        {hint && (
          <p className="hint" data-testid="first-run-hint">
            First run: {hint}
          </p>
        )}
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && <ErrorBox error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
