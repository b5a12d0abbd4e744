/**
 * Throttling of password checks (sign-in and password change), after OWASP's device-cookie scheme:
 *
 * - A client that presents a valid device token for the account (server/auth/device-tokens.ts) is
 *   throttled on that token alone: a stranger's failures never slow it. Its own failures distrust
 *   the token after DEVICE_MAX_FAILURES in the window; it is then treated as any other client.
 * - Every other client is throttled per account and per client address: a few free failures in the
 *   window (an hour), then each further attempt waits a delay after the last failure that doubles
 *   (30 s, 1 min, 2 min … capped at 15 min). No lock: the owner's trusted devices still get in,
 *   and a new device of the owner waits at most 15 minutes.
 * - At most CONCURRENT_PER_CLIENT password hashes run at once per client address (or per device
 *   token); more answer 429 at once, so parallel guesses cannot pass the checks together nor
 *   take the hashing threads.
 *
 * The check and the reservation happen in one synchronous step before the hash, and the attempt
 * counts as pending until it is finished: ten parallel wrong passwords see each other. Counters
 * are keyed by the typed username whether or not the account exists, so unknown usernames get
 * the same answers as real ones. Kept in memory, per server process.
 */
export const THROTTLE_POLICY = {
  /** How long a failure is remembered (an hour: a patient guesser gets about a dozen a hour). */
  windowMs: 60 * 60_000,
  /** Failures per account, from clients without a device token, before delays start. */
  accountFreeFailures: 5,
  /** Failures per client address before delays start (colleagues behind one office NAT). */
  addressFreeFailures: 20,
  /** A device token's own failures before it is no longer trusted. */
  deviceMaxFailures: 5,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  concurrentPerClient: 2
} as const

export type ThrottlePolicy = { [K in keyof typeof THROTTLE_POLICY]: number }

export interface AttemptRequest {
  /** Client address (request.ip: behind a proxy, set TRUST_PROXY). */
  address: string
  /** The typed username, normalised; need not exist. */
  account: string
  /** Nonce of a device token valid for this account, or null. */
  device: string | null
}

export interface Attempt {
  /** Whether the attempt is throttled on its device token (true) or as an untrusted client. */
  readonly trusted: boolean
  /**
   * Records the outcome and frees the slot; later calls do nothing. 'none': no password was
   * judged (the request failed for another reason).
   */
  finish (outcome: 'success' | 'failure' | 'none'): void
}

export type Reservation = { ok: true, attempt: Attempt } | { ok: false, retryAfterSeconds: number, reason: 'busy' | 'failures' }

interface Counter { failures: number[], pending: number }

export class LoginThrottle {
  private counters = new Map<string, Counter>()
  private lastSweep: number

  constructor (readonly policy: ThrottlePolicy = THROTTLE_POLICY, private readonly now: () => number = Date.now) {
    this.lastSweep = now()
  }

  /** Delay owed after n failures (pending attempts included) when `free` are free. */
  private delayAfter (n: number, free: number): number {
    if (n < free) return 0
    return Math.min(this.policy.firstDelayMs * 2 ** (n - free), this.policy.maxDelayMs)
  }

  private counter (key: string, now: number): Counter {
    let counter = this.counters.get(key)
    if (!counter) {
      counter = { failures: [], pending: 0 }
      this.counters.set(key, counter)
    }
    const cutoff = now - this.policy.windowMs
    while (counter.failures.length > 0 && counter.failures[0]! <= cutoff) counter.failures.shift()
    return counter
  }

  /** Milliseconds this key must still wait; a pending attempt counts as a failure happening now. */
  private waitMs (counter: Counter, free: number, now: number): number {
    const n = counter.failures.length + counter.pending
    const delay = this.delayAfter(n, free)
    if (delay === 0) return 0
    const last = counter.pending > 0 ? now : counter.failures[counter.failures.length - 1]!
    return Math.max(0, last + delay - now)
  }

  /** Drops counters with nothing left in the window, once a window, so memory stays bounded. */
  private sweep (now: number) {
    if (now - this.lastSweep < this.policy.windowMs) return
    this.lastSweep = now
    for (const [key, counter] of this.counters) {
      if (counter.pending === 0 && counter.failures.every(time => time <= now - this.policy.windowMs)) this.counters.delete(key)
    }
  }

  /**
   * Checks and reserves in one step (no await between): either a slot, which the caller must
   * finish after the hash, or how long to wait.
   */
  reserve ({ address, account, device }: AttemptRequest): Reservation {
    const now = this.now()
    this.sweep(now)
    const { policy } = this
    if (device !== null) {
      const counter = this.counter(`device:${device}`, now)
      if (counter.failures.length + counter.pending < policy.deviceMaxFailures) {
        if (counter.pending >= policy.concurrentPerClient) return { ok: false, retryAfterSeconds: 1, reason: 'busy' }
        return { ok: true, attempt: this.hold([counter], true) }
      }
      // The token failed too often: from here on it is a client like any other.
    }
    const byAddress = this.counter(`address:${address}`, now)
    if (byAddress.pending >= policy.concurrentPerClient) return { ok: false, retryAfterSeconds: 1, reason: 'busy' }
    const byAccount = this.counter(`account:${account}`, now)
    const wait = Math.max(this.waitMs(byAccount, policy.accountFreeFailures, now), this.waitMs(byAddress, policy.addressFreeFailures, now))
    if (wait > 0) return { ok: false, retryAfterSeconds: Math.ceil(wait / 1000), reason: 'failures' }
    return { ok: true, attempt: this.hold([byAccount, byAddress], false) }
  }

  private hold (counters: Counter[], trusted: boolean): Attempt {
    for (const counter of counters) counter.pending += 1
    let finished = false
    return {
      trusted,
      finish: (outcome) => {
        if (finished) return
        finished = true
        const now = this.now()
        for (const counter of counters) {
          counter.pending -= 1
          if (outcome === 'failure') counter.failures.push(now)
          // A trusted device that gets in has "not failed since"; an untrusted success clears
          // nothing, or the owner's sign-in would hand a guesser fresh free attempts.
          else if (outcome === 'success' && trusted) counter.failures.length = 0
        }
      }
    }
  }
}
