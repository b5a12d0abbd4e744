/**
 * The page's session: who is signed in, as runes. The cookie itself is HttpOnly; the page only
 * learns about it from `/api/auth/me`, `/api/auth/login` and 401 answers of any other call.
 */
import { api, isAbortError, isUnauthenticated, onUnauthenticated, ApiError } from '../api/client.ts'
import type { User } from './capabilities.ts'

/**
 * `checking`: asking /api/auth/me at start; `anonymous`: show the login form;
 * `signed-in`: show the dashboard; `error`: /api/auth/me failed for another reason than 401.
 */
export type AuthStatus = 'checking' | 'anonymous' | 'signed-in' | 'error'

export class Session {
  status = $state<AuthStatus>('checking')
  /**
   * The signed-in user. Kept while `expired`, so the dashboard behind the login stays as it was
   * and the same user returns to the same view.
   */
  user = $state.raw<User | undefined>()
  /** A signed-in session ended by itself (an API call answered 401). */
  expired = $state(false)
  checkError = $state<{ kind: 'network' | 'request', message: string } | undefined>()
  /** Increases with every successful sign-in: the dashboard retries what failed meanwhile. */
  epoch = $state(0)

  constructor () {
    onUnauthenticated(() => this.markExpired())
  }

  /** Asks the server whether the cookie still holds a session. */
  async check (signal?: AbortSignal): Promise<void> {
    this.status = 'checking'
    this.checkError = undefined
    try {
      this.user = await api.me(signal)
      this.status = 'signed-in'
    } catch (err) {
      if (isAbortError(err)) return
      if (isUnauthenticated(err)) {
        this.user = undefined
        this.status = 'anonymous'
        return
      }
      this.status = 'error'
      this.checkError = err instanceof ApiError
        ? { kind: 'request', message: `${err.status} ${err.message}` }
        : { kind: 'network', message: err instanceof Error ? err.message : String(err) }
    }
  }

  /** Signs in; rejects with the API's error (see `loginErrorMessage`). */
  async login (username: string, password: string): Promise<User> {
    const user = await api.login(username, password)
    this.user = user
    this.expired = false
    this.status = 'signed-in'
    this.epoch++
    return user
  }

  /** Signs out on the server; a session that is already gone counts as signed out. */
  async logout (): Promise<void> {
    try {
      await api.logout()
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err
    }
    this.user = undefined
    this.expired = false
    this.status = 'anonymous'
  }

  /** An API call answered 401: ask for the password again, over the current view. */
  markExpired (): void {
    if (this.status !== 'signed-in') return
    this.expired = true
    this.status = 'anonymous'
  }
}
