/** A throttle key and how many failures it may have in the window. */
export interface ThrottleKey { key: string, maxFailures: number }

/**
 * Sliding-window limiter for failed logins, kept in memory (one server process; several
 * processes behind a load balancer would need a shared store).
 */
export class LoginThrottle {
  private failures = new Map<string, number[]>()

  constructor (readonly windowMs = 60_000) {}

  private recent (key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter(time => now - time < this.windowMs)
    if (times.length === 0) this.failures.delete(key)
    else this.failures.set(key, times)
    return times
  }

  /** Seconds to wait before another attempt is allowed, or 0. */
  retryAfterSeconds (keys: ThrottleKey[], now = Date.now()): number {
    let wait = 0
    for (const { key, maxFailures } of keys) {
      const times = this.recent(key, now)
      if (times.length >= maxFailures) wait = Math.max(wait, Math.ceil((times[times.length - maxFailures]! + this.windowMs - now) / 1000))
    }
    return wait
  }

  recordFailure (keys: ThrottleKey[], now = Date.now()): void {
    for (const { key } of keys) this.failures.set(key, [...this.recent(key, now), now])
  }

  clear (keys: ThrottleKey[]): void {
    for (const { key } of keys) this.failures.delete(key)
  }
}

/**
 * Five wrong passwords a minute per account; thirty a minute per client address, so one
 * address cannot try many accounts, while colleagues behind the same office NAT are not
 * locked out by one person's typos.
 */
export function loginThrottleKeys (ip: string, username: string): ThrottleKey[] {
  return [{ key: `user:${username}`, maxFailures: 5 }, { key: `ip:${ip}`, maxFailures: 30 }]
}
