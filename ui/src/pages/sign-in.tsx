// Sign-in: a hookd token exchanged for the session cookie (POST /session). The token is sent
// once and kept nowhere; the field is cleared whatever the answer.
import { useState } from 'preact/hooks';
import { signIn, type Session } from '../api.ts';
import { ErrorBox } from '../view.tsx';

export function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <main class="sign-in">
      <h1>hookd</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          signIn(token).then(props.onSignedIn, (err) => {
            setError(err);
            setBusy(false);
          });
          setToken('');
        }}
      >
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {error ? <ErrorBox error={error} /> : null}
        <p class="muted">A token from the config (auth.tokens) or from <code>hookd token create</code>. It becomes a session cookie; it is not stored by this page.</p>
      </form>
    </main>
  );
}
