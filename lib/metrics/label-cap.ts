// Bounded label values for names users create (hooks, webhooks): the first `limit` distinct
// values keep their own series, later ones share OTHER_LABEL, so a scrape stays small however
// many are created. sync() forgets values that no longer exist, and their series with them.

/** The label value of everything folded: unknown event types, names past the cap. */
export const OTHER_LABEL = 'other';

/** Distinct hook names (or webhook ids) with series of their own. */
export const MAX_LABEL_VALUES = 500;

export interface LabelCapDeps {
  /** The values that exist now (hook names, webhook ids), read at scrape time. */
  live: () => Promise<Iterable<string>>;
  /** Removes a gone value's series from every metric labelled with it. */
  forget: (value: string) => void;
  limit?: number;
}

export interface LabelCap {
  /** The value to label with: `value` itself while it has (or gets) a place, else OTHER_LABEL. */
  label(value: string): string;
  /** Forgets the values that no longer exist, freeing their places; a failed read forgets nothing. */
  sync(): Promise<void>;
}

export function createLabelCap(deps: LabelCapDeps): LabelCap {
  const limit = deps.limit ?? MAX_LABEL_VALUES;
  const admitted = new Set<string>();
  return {
    label(value) {
      if (admitted.has(value)) return value;
      if (admitted.size >= limit) return OTHER_LABEL;
      admitted.add(value);
      return value;
    },
    async sync() {
      let live: Set<string>;
      try {
        live = new Set(await deps.live());
      } catch {
        return; // the store cannot be read now
      }
      for (const value of [...admitted]) {
        if (live.has(value)) continue;
        admitted.delete(value);
        deps.forget(value);
      }
    },
  };
}
