// The token scopes, the one list: the config schema, the normalizer, the CLI and the session
// answer name them. Its own module so the schema and the CLI's --help load nothing else.
export const SCOPES = ['events', 'admin', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];
