// The dashboard's entry: finds out whether the cookie holds a session (GET /session), then
// shows the sign-in page or the app with its navigation. Admin-only pages and buttons are
// left out for a token without the admin scope (no hooks, no webhooks). The theme
// (light, dark or the OS's) is applied before the first render.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, isAdmin, signOut, whenSignedOut, type Session } from './api.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { chooseTheme, startTheme, themeChoice, type ThemeChoice } from './theme.ts';
import { ErrorBox, Loading } from './view.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { EventsPage } from './pages/events.tsx';
import { EventTrace } from './pages/event-trace.tsx';
import { HooksPage } from './pages/hooks.tsx';
import { HookEditor } from './pages/hook-editor.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { LivePage } from './pages/live.tsx';
import './style.css';

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    currentSession().then((s) => setSession(s ?? null), setError);
  }, [attempt]);
  if (error) {
    // The daemon did not answer (stopped, restarting): say so, and let the user ask again.
    return (
      <main class="unreachable">
        <ErrorBox error={error} />
        <button type="button" onClick={() => { setError(undefined); setAttempt((n) => n + 1); }}>Try again</button>
      </main>
    );
  }
  if (session === undefined) return <Loading />;
  if (session === null) return <SignIn onSignedIn={(s) => { setSession(s); navigate('/events'); }} />;
  return <Shell session={session} onSignedOut={() => setSession(null)} />;
}

function Shell(props: { session: Session; onSignedOut: () => void }) {
  const { path } = useLocation();
  const admin = isAdmin(props.session);
  const section = path.split('/')[1] || 'events';
  const nav: Array<[string, string, boolean]> = [
    ['events', 'Events', true],
    ['hooks', 'Hooks', admin],
    ['webhooks', 'Webhooks', admin],
    ['catalog', 'Catalog', true],
    ['live', 'Live', true],
  ];
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <strong class="brand">hookd</strong>
        <nav>
          {nav.filter(([, , shown]) => shown).map(([id, label]) => (
            <Link key={id} to={`/${id}`} class={section === id ? 'current' : undefined}>{label}</Link>
          ))}
        </nav>
        <span class="who" title={`scopes: ${props.session.scopes.join(', ')}`}>
          {props.session.name}{admin ? '' : ' (read-only)'}
        </span>
        <ThemeToggle />
        <button type="button" class="link" onClick={() => signOut().finally(props.onSignedOut)}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>{page(path, props.session)}</main>
    </>
  );
}

function page(path: string, session: Session) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const admin = isAdmin(session);
  switch (parts[0] ?? 'events') {
    case 'events':
      return parts[1] ? <EventTrace id={parts[1]} admin={admin} /> : <EventsPage />;
    case 'hooks':
      // GET /hooks is admin only: an events token (an application's) reads no hook.
      if (!admin) break;
      if (parts[1] === 'new') return <HookEditor replayMaxEvents={session.settings.replayMaxEvents} />;
      return parts[1] ? <HookEditor id={parts[1]} replayMaxEvents={session.settings.replayMaxEvents} /> : <HooksPage />;
    case 'webhooks':
      if (!admin) break;
      return <WebhooksPage open={parts[1]} />;
    case 'catalog':
      return <CatalogPage admin={admin} />;
    case 'live':
      return <LivePage />;
  }
  return <p class="empty">No such page. <Link to="/events">Events</Link></p>;
}

const THEMES: Array<[ThemeChoice, string]> = [['system', 'Theme: system'], ['light', 'Theme: light'], ['dark', 'Theme: dark']];

/** Cycles system → light → dark; the choice is remembered (theme.ts). */
function ThemeToggle() {
  const [choice, setChoice] = useState(themeChoice);
  const next = THEMES[(THEMES.findIndex(([c]) => c === choice) + 1) % THEMES.length]![0];
  return (
    <button type="button" class="link theme" title={`Switch to ${next}`} onClick={() => { chooseTheme(next); setChoice(next); }}>
      {THEMES.find(([c]) => c === choice)![1]}
    </button>
  );
}

startTheme();
render(<App />, document.getElementById('app')!);
