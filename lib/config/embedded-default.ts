// The embedded default config (config/hookd.yaml) as the build parsed it: its text and values.
// From the source tree there is none (the file is parsed); scripts/build.js replaces this
// module in the bundle with the file's text and values at build time (see readDefaultFile).
export const EMBEDDED_DEFAULT: { text: string; value: Record<string, unknown> } | undefined = undefined;
