// Prowlarr's webhook bodies (Prowlarr develop): of its eventTypes only Test, Grab, Health,
// HealthRestored and ApplicationUpdate are ever sent (Webhook.cs).
import { body, camelEnum, dateTime, healthAndUpdates, int, obj, str, strList, type Schema } from './parts.ts';

const release = obj({
  releaseTitle: str,
  indexer: str,
  size: int,
  categories: strList,
  genres: strList,
  indexerFlags: strList,
  publishDate: dateTime,
});

export const PROWLARR_SCHEMAS: Readonly<Record<string, Schema>> = {
  Test: body('Test', {}),
  Grab: body(
    'Grab',
    {
      release,
      trigger: camelEnum(['api', 'manual']),
      source: { ...str, description: 'The application that asked for the grab.' },
      host: str,
      downloadClient: str,
      downloadClientType: str,
      downloadId: str,
    },
    ['release'],
  ),
  ...healthAndUpdates({ healthRestored: true }),
};
