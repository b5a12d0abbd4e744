/** Progress of an import that named a job id, for a client polling while its upload runs. */
export interface ImportJob {
  state: 'running' | 'committed' | 'rolled_back' | 'failed'
  started_at: string
  finished_at: string | null
  progress: () => { staged: number, rejected: number }
  final: { stored: number, rejected: number } | null
}
/** How long a finished job's figures stay available. */
const JOB_RETENTION_MS = 60 * 60_000
/** Jobs kept per user; past it the oldest finished ones are forgotten first. */
export const JOBS_PER_USER = 100

/**
 * Import jobs, one namespace per user: a job id names a job of the user who chose it only, so no
 * one can read another user's progress or take an id another user means to use.
 */
export class ImportJobs {
  private byUser = new Map<string, Map<string, ImportJob>>()

  get (userId: string, id: string): ImportJob | undefined {
    return this.byUser.get(userId)?.get(id)
  }

  has (userId: string, id: string): boolean {
    return this.byUser.get(userId)?.has(id) ?? false
  }

  /** Adds a job, forgetting finished jobs past the retention time or past the per-user count. */
  add (userId: string, id: string, job: ImportJob): boolean {
    const jobs = this.byUser.get(userId) ?? new Map<string, ImportJob>()
    this.byUser.set(userId, jobs)
    const cutoff = Date.now() - JOB_RETENTION_MS
    for (const [key, old] of jobs) if (old.finished_at && Date.parse(old.finished_at) < cutoff) jobs.delete(key)
    // A Map iterates in insertion order: the first finished job is the oldest one.
    for (const [key, old] of jobs) {
      if (jobs.size < JOBS_PER_USER) break
      if (old.finished_at) jobs.delete(key)
    }
    if (jobs.size >= JOBS_PER_USER) return false
    jobs.set(id, job)
    return true
  }
}
