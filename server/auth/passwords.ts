import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * scrypt, a memory-hard KDF from Node's standard library: N = 2^15, r = 8 (32 MiB per hash),
 * p = 1, a 16-byte salt and a 32-byte key. Stored as `scrypt$N$r$p$salt$key` (base64) so the
 * parameters can be raised later without breaking existing hashes.
 */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 }
const KEY_LENGTH = 32

function derive (password: string, salt: Buffer, options: { N: number, r: number, p: number }): Promise<Buffer> {
  const scryptOptions: ScryptOptions = { ...options, maxmem: 128 * options.N * options.r * 2 }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, scryptOptions, (error, key) => error ? reject(error) : resolve(key))
  })
}

export async function hashPassword (password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, DEFAULTS)
  return ['scrypt', DEFAULTS.N, DEFAULTS.r, DEFAULTS.p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(N), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** Minimum length for a new password (NIST SP 800-63B asks for at least 8; we ask 10). */
export const MIN_PASSWORD_LENGTH = 10
