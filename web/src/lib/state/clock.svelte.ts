/** A shared "now" that ticks every 20 s, so relative times ("2 phút trước") stay current. */
class Clock {
  now = $state(Date.now())
  private users = 0
  private timer: ReturnType<typeof setInterval> | undefined

  /** Starts ticking while at least one user needs it; returns the stop function. */
  use (): () => void {
    this.users++
    this.now = Date.now()
    if (!this.timer) this.timer = setInterval(() => { this.now = Date.now() }, 20_000)
    return () => {
      this.users--
      if (this.users <= 0 && this.timer) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }
}

export const clock = new Clock()
