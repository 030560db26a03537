// Dry runs against a stored event, chosen on an event's trace ("Dry-run against this event" opens
// /hooks/<id>?event=<event id>): which event the page was opened with, and the dry run of a saved
// hook the editor shows read-only (file and command hooks), POST /hooks/:id/test { eventId }.
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { Link } from '../router.tsx';
import { ErrorBox, Json } from '../view.tsx';

/** The stored event this page was opened for (?event=), if any. */
export function chosenEventId(): string | undefined {
  return new URLSearchParams(location.search).get('event') ?? undefined;
}

/** Names the chosen event, linked back to its trace. */
export function ChosenEvent(props: { eventId: string }) {
  return <span class="muted chosen-event">against event <Link to={`/events/${encodeURIComponent(props.eventId)}`}>{props.eventId}</Link></span>;
}

/** A saved hook's dry run against the chosen event. */
export function SavedHookDryRun(props: { hookId: string; eventId: string }) {
  const [result, setResult] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  return (
    <>
      <div class="actions">
        <button
          type="button"
          onClick={() => {
            setError(undefined);
            setResult(undefined);
            api('POST', `/hooks/${encodeURIComponent(props.hookId)}/test`, { eventId: props.eventId }).then(setResult, setError);
          }}
        >Dry run</button>
        <ChosenEvent eventId={props.eventId} />
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {result ? <><h2>Dry run</h2><Json value={result} /></> : null}
    </>
  );
}
