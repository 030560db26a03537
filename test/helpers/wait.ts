// Polls a condition until it holds or a generous bound passes: for effects that happen
// asynchronously (file watching, background dispatch). Never a performance assertion.
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, boundMs = 15_000): Promise<T> {
  const until = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
