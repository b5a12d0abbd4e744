import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Device tokens, OWASP's "device cookie": a successful sign-in gives the browser or device a token
 * signed by the server over (username, nonce). A later sign-in to that account that presents it is
 * known to come from somewhere the password was once typed right, so a stranger's failures do not
 * slow it (server/auth/throttle.ts). The token grants nothing else: it is not a session.
 *
 * Format: `d1.<username, base64url>.<nonce, base64url>.<HMAC-SHA256, base64url>`.
 */
const VERSION = 'd1'
/** Browsers keep the tokens of this many accounts (a shared office computer); the newest first. */
export const DEVICE_TOKENS_PER_BROWSER = 5
/** Largest cookie or header value read; longer ones are ignored without being parsed. */
const MAX_TOKENS_LENGTH = 2048

export interface DeviceTokenSigner {
  /** A new token for the account. */
  issue (username: string): string
  /** The nonce of a token that the server signed for this username, else null. */
  verify (token: string, username: string): string | null
}

export function deviceTokenSigner (key: Buffer): DeviceTokenSigner {
  const sign = (username: string, nonce: string) =>
    createHmac('sha256', key).update(`${VERSION}\n${username}\n${nonce}`).digest()
  return {
    issue (username) {
      const nonce = randomBytes(16).toString('base64url')
      return [VERSION, Buffer.from(username).toString('base64url'), nonce, sign(username, nonce).toString('base64url')].join('.')
    },
    verify (token, username) {
      const [version, name, nonce, signature, extra] = token.split('.')
      if (version !== VERSION || !name || !nonce || !signature || extra !== undefined) return null
      if (Buffer.from(name, 'base64url').toString() !== username) return null
      // Compared as canonical text: base64url decoding ignores a last character's spare bits.
      const expected = Buffer.from(sign(username, nonce).toString('base64url'))
      const given = Buffer.from(signature)
      return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null
    }
  }
}

/** The tokens in a `vnpm_device` cookie or an `X-Device-Token` header (several, `~`-separated). */
export function splitDeviceTokens (value: string | undefined): string[] {
  if (!value || value.length > MAX_TOKENS_LENGTH) return []
  return value.split('~').filter(Boolean).slice(0, DEVICE_TOKENS_PER_BROWSER)
}

/**
 * The cookie value after a sign-in: the new token first, then the browser's tokens for other
 * accounts, at most DEVICE_TOKENS_PER_BROWSER.
 */
export function withDeviceToken (existing: string[], token: string, signer: DeviceTokenSigner, username: string): string {
  const others = existing.filter(t => signer.verify(t, username) === null)
  return [token, ...others].slice(0, DEVICE_TOKENS_PER_BROWSER).join('~')
}
