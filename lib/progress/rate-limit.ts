// A token bucket per producer (the API token's name) for progress events: a fast producer
// is told to slow down (429) before its events cost a schema check, coalescing or fan-out,
// so it cannot starve business events. Once refused, a producer stays refused until its
// Retry-After has passed, so a flood is turned away before its bodies are even read.
// Bounded: the least recently seen producers are forgotten first.

export interface RateLimiter {
  /** Takes one event's worth from `key`'s bucket; false when the bucket is empty. */
  take(key: string, now?: number): boolean;
  /** Seconds until `key` may send again (for Retry-After). */
  retryAfter(key: string, now?: number): number;
  /** Whether `key` was refused and its Retry-After has not passed yet. */
  exhausted(key: string, now?: number): boolean;
}

interface Bucket {
  tokens: number;
  at: number;
  blockedUntil: number;
}

const MAX_PRODUCERS = 10_000;
// A refused producer waits this long: by then its bucket holds a full second's worth again.
const BLOCK_MS = 1000;

export function createRateLimiter(ratePerSecond: number): RateLimiter {
  const burst = ratePerSecond;
  const buckets = new Map<string, Bucket>();

  function refill(key: string, now: number): Bucket {
    let bucket = buckets.get(key);
    if (bucket) {
      buckets.delete(key); // re-inserted below: Map order is the recency order
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
      bucket.at = now;
    } else {
      bucket = { tokens: burst, at: now, blockedUntil: 0 };
      if (buckets.size >= MAX_PRODUCERS) buckets.delete(buckets.keys().next().value!);
    }
    buckets.set(key, bucket);
    return bucket;
  }

  return {
    take(key, now = Date.now()) {
      if (ratePerSecond <= 0) return true;
      const bucket = refill(key, now);
      if (now < bucket.blockedUntil) return false;
      if (bucket.tokens < 1) {
        bucket.blockedUntil = now + BLOCK_MS;
        return false;
      }
      bucket.tokens -= 1;
      return true;
    },
    exhausted(key, now = Date.now()) {
      const bucket = buckets.get(key);
      return bucket !== undefined && now < bucket.blockedUntil;
    },
    retryAfter(key, now = Date.now()) {
      const bucket = buckets.get(key);
      if (!bucket || ratePerSecond <= 0) return 0;
      return Math.max(1, Math.ceil((bucket.blockedUntil - now) / 1000));
    },
  };
}
