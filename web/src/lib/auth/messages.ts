/**
 * Pure mapping from login and password-change failures to catalogue messages, and the
 * client-side checks of the password form (the server checks the same and has the last word).
 */
import { ApiError } from '../api/client.ts'
import type { MessageKey } from '../i18n/vi.ts'

export interface Message {
  key: MessageKey
  params?: Record<string, string | number>
}

/** Shortest new password the API accepts. */
export const MIN_PASSWORD_LENGTH = 10

/** What the login form says about a failed `POST /api/auth/login`. */
export function loginErrorMessage (err: unknown): Message {
  if (err instanceof ApiError) {
    if (err.status === 401) return { key: 'login.error.invalid' }
    if (err.status === 429) {
      return err.retryAfter !== undefined
        ? { key: 'login.error.tooMany', params: { seconds: Math.max(1, err.retryAfter) } }
        : { key: 'login.error.tooManyLater' }
    }
    if (err.status === 403 && err.code === 'account_disabled') return { key: 'login.error.disabled' }
    return { key: 'login.error.other', params: { message: err.message || String(err.status) } }
  }
  return { key: 'login.error.network' }
}

/** Seconds the login form should stay disabled after a failure (429 with Retry-After), else 0. */
export function loginWaitSeconds (err: unknown): number {
  return err instanceof ApiError && err.status === 429 && err.retryAfter !== undefined ? Math.max(0, err.retryAfter) : 0
}

export interface PasswordForm {
  current: string
  next: string
  confirm: string
}
export type PasswordField = 'current_password' | 'new_password' | 'confirm'
export interface FieldMessage extends Message {
  field: PasswordField | null
}

/** The first problem of the change-password form, before anything is sent. */
export function validatePasswordForm (form: PasswordForm): FieldMessage | undefined {
  if (!form.current) return { field: 'current_password', key: 'password.error.currentMissing' }
  if (form.next.length < MIN_PASSWORD_LENGTH) {
    return { field: 'new_password', key: 'password.error.tooShort', params: { n: MIN_PASSWORD_LENGTH } }
  }
  if (form.next === form.current) return { field: 'new_password', key: 'password.error.sameAsCurrent' }
  if (form.confirm !== form.next) return { field: 'confirm', key: 'password.error.mismatch' }
  return undefined
}

/** What the password dialog says about a failed `POST /api/auth/password`. */
export function passwordErrorMessage (err: unknown, form: PasswordForm): FieldMessage {
  if (err instanceof ApiError) {
    if (err.status === 401 && err.code === 'invalid_credentials') {
      return { field: 'current_password', key: 'password.error.currentWrong' }
    }
    if (err.status === 401) return { field: null, key: 'login.expired' }
    if (err.status === 400 && err.field === 'new_password') {
      return form.next === form.current
        ? { field: 'new_password', key: 'password.error.sameAsCurrent' }
        : form.next.length < MIN_PASSWORD_LENGTH
          ? { field: 'new_password', key: 'password.error.tooShort', params: { n: MIN_PASSWORD_LENGTH } }
          : { field: 'new_password', key: 'password.error.server', params: { message: err.message } }
    }
    if (err.status === 400 && err.field === 'current_password') {
      return { field: 'current_password', key: 'password.error.server', params: { message: err.message } }
    }
    if (err.status === 429) {
      return err.retryAfter !== undefined
        ? { field: null, key: 'login.error.tooMany', params: { seconds: Math.max(1, err.retryAfter) } }
        : { field: null, key: 'login.error.tooManyLater' }
    }
    return { field: null, key: 'password.error.server', params: { message: err.message || String(err.status) } }
  }
  return { field: null, key: 'login.error.network' }
}
