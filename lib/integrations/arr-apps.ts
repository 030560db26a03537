// The *arr applications hookd knows by name: `integrations.<app>` configures their API, a hook's
// `permissions.apps` grants it, and a command hook's `arrScript` names whose Custom Script it
// stands in for. Pure data.

export const ARR_APPS = ['radarr', 'sonarr', 'lidarr', 'readarr', 'prowlarr', 'whisparr'] as const;
export type ArrApp = (typeof ARR_APPS)[number];

export function isArrApp(value: unknown): value is ArrApp {
  return typeof value === 'string' && (ARR_APPS as readonly string[]).includes(value);
}
