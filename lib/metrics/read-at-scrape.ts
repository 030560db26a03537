// Metrics whose values a part already keeps (the progress and stream counters behind /stats,
// the sandbox's restarts): read when Prometheus scrapes, so nothing is counted twice.
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Work a group of metrics needs done before anything is written out: prom-client collects its
 * metrics concurrently, so one metric's collect cannot prepare another's.
 */
export type BeforeScrape = () => Promise<void>;

export interface ReadAtScrape<T> {
  registry: Registry;
  name: string;
  help: string;
  read: () => T;
}

/** A counter that shows a running total another part keeps (never decreasing while it runs). */
export function counterReadAtScrape({ registry, name, help, read }: ReadAtScrape<number>): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * A gauge read at scrape time, possibly from the database. A read that fails keeps the last
 * value shown rather than a made-up 0 (the failure itself is what /readyz reports).
 */
export function gaugeReadAtScrape({ registry, name, help, read }: ReadAtScrape<number | Promise<number>>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      try {
        this.set(await read());
      } catch {
        // keep the last value
      }
    },
  });
}
