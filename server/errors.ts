/** Every client error the API returns, defined once: code, status, message template. */
export class ApiError extends Error {
  constructor (
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    /** Seconds, sent as Retry-After (429, 503). */
    readonly retryAfter: number | null = null
  ) {
    super(message)
  }
}

export const errors = {
  invalidField: (field: string, problem: string) =>
    new ApiError(400, 'invalid_field', `${field}: ${problem}`, field),
  missingField: (field: string) =>
    new ApiError(400, 'missing_field', `${field}: is required`, field),
  outsideCommunes: (lon: number, lat: number) =>
    new ApiError(400, 'outside_communes', `lon,lat: the point (${lon}, ${lat}) lies in no loaded Vietnamese commune`, 'lon,lat'),
  futureTime: (field: string, value: string) =>
    new ApiError(400, 'time_in_future', `${field}: ${value} is in the future`, field),
  invalidJson: (detail: string) =>
    new ApiError(400, 'invalid_json', `body: malformed JSON (${detail})`, 'body'),
  bodyTooLarge: (limit: number) =>
    new ApiError(413, 'body_too_large', `body: larger than the limit of ${limit} bytes`, 'body'),
  unsupportedMediaType: (type: string) =>
    new ApiError(415, 'unsupported_media_type', `content-type: ${type || '(none)'} is not accepted here`, 'content-type'),
  unauthenticated: () =>
    new ApiError(401, 'unauthenticated', 'sign in first: no valid session cookie or bearer token', null),
  invalidCredentials: () =>
    new ApiError(401, 'invalid_credentials', 'username or password is wrong', null),
  forbidden: (field: string | null, what: string) =>
    new ApiError(403, 'forbidden', field ? `${field}: ${what}` : what, field),
  accountDisabled: () =>
    new ApiError(403, 'account_disabled', 'this account is disabled: ask an administrator', null),
  tooManyAttempts: (seconds: number) =>
    new ApiError(429, 'too_many_attempts', `too many failed sign-ins: try again in ${seconds} s`, null, seconds),
  signInBusy: () =>
    new ApiError(429, 'too_many_attempts', 'too many sign-ins at once from this client: try again in 1 s', null, 1),
  illegalTransition: (from: string, to: string, allowed: readonly string[]) =>
    new ApiError(409, 'illegal_transition', `status: cannot go from ${from} to ${to} (from ${from}: ${allowed.length ? allowed.join(', ') : 'no further change'})`, 'status'),
  notFound: (what: string) =>
    new ApiError(404, 'not_found', `${what} does not exist`, null),
  patrolEnded: (id: string) =>
    new ApiError(409, 'patrol_ended', `id: patrol ${id} has ended; positions go to a live patrol (POST /api/patrols/live)`, 'id'),
  movedExceedsAtRisk: (field: string, moved: number, atRisk: number) =>
    new ApiError(400, 'moved_exceeds_at_risk', `${field}: this report would bring the moved total to ${moved}, more than the ${atRisk} at risk in the zone`, field),
  outsideCommune: (field: string, what: string) =>
    new ApiError(400, 'outside_commune', `${field}: ${what}`, field),
  zoneNotEvacuating: (status: string) =>
    new ApiError(409, 'zone_not_evacuating', `status: progress can only be reported while the zone is evacuate_now or evacuating, not ${status}`, 'status'),
  capacityExceeded: (shelter: string, occupancy: number, adding: number, capacity: number) =>
    new ApiError(409, 'shelter_capacity_exceeded', `shelter_id: shelter ${shelter} holds ${occupancy} of ${capacity}; ${adding} more would make ${occupancy + adding} (send force: true with a reason to accept)`, 'shelter_id'),
  shelterClosed: (shelter: string) =>
    new ApiError(409, 'shelter_closed', `shelter_id: shelter ${shelter} is closed`, 'shelter_id'),
  bodyIdleTimeout: (ms: number) =>
    new ApiError(408, 'body_timeout', `body: no bytes arrived for ${ms} ms; send the body without pausing`, 'body'),
  bodyIncomplete: () =>
    new ApiError(400, 'body_incomplete', 'body: the connection closed before the whole body arrived', 'body'),
  /** A cell statistic over the work budget (server/analysis/work-budget.ts); the message says how to narrow it. */
  overBudget: (field: string, message: string) =>
    new ApiError(400, 'over_budget', message, field)
} as const

/** Errors raised by PostgreSQL that are the client's doing, by SQLSTATE. */
export const POSTGRES_CLIENT_ERRORS: Record<string, () => ApiError> = {
  // A row-level security policy refused a write: outside the user's jurisdiction or role.
  42501: () => new ApiError(403, 'forbidden', 'outside your jurisdiction or role', null),
  // statement_timeout of a scoped transaction (or a cancelled statement): retry later, or narrow it.
  57014: () => new ApiError(503, 'statement_timeout', 'the database took too long on this request: narrow it (smaller area, shorter window, coarser res) or try again later', null, 5)
}

export interface ErrorBody { error: string, message: string, field: string | null }
