/**
 * Runs `fn` at most once per `ms`, always once more after the last request (trailing), and never two
 * runs at once. Imports emit library events per batch; the lists refresh a few times a second, not per
 * event.
 */
export function coalesce(fn: () => Promise<void>, ms: number): { request(): void; flush(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | null = null
  let running: Promise<void> | null = null
  let again = false

  async function runNow(): Promise<void> {
    timer = null
    if (running) {
      again = true
      return running
    }
    running = fn().finally(() => {
      running = null
      if (again) {
        again = false
        request()
      }
    })
    return running
  }

  function request(): void {
    if (timer === null) timer = setTimeout(() => void runNow(), ms)
  }

  async function flush(): Promise<void> {
    if (timer !== null) clearTimeout(timer)
    await runNow()
  }

  return { request, flush }
}
