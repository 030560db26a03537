// Shared pieces of every page: loading, error and empty states, times in the user's zone,
// JSON shown as text, and useLoad (fetch on mount and on reload()).
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function Time(props: { at: string | null | undefined }) {
  if (!props.at) return <span>-</span>;
  return <time dateTime={props.at}>{TIME.format(new Date(props.at))}</time>;
}

export function Loading() {
  return <p class="muted" role="status">Loading…</p>;
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function ErrorBox(props: { error: unknown }) {
  const e = props.error;
  const text = e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e);
  return <p class="error" role="alert">{text}</p>;
}

export function Json(props: { value: unknown }) {
  return <pre class="json">{JSON.stringify(props.value, null, 2)}</pre>;
}

export type Load<T> = { data?: T; error?: unknown; loading: boolean; reload: () => void };

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Load<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Renders a load's states; `children` only once there is data. */
export function Loaded<T>(props: { load: Load<T>; children: (data: T) => ComponentChildren }) {
  const { data, error, loading } = props.load;
  if (error) return <ErrorBox error={error} />;
  if (data === undefined) return loading ? <Loading /> : null;
  return <>{props.children(data)}</>;
}
