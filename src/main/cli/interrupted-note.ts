/** What the CLI says about runs a crash cut off, which CLI commands leave for `serve` or the app to resume. */
import type { JobRecord } from '../../shared/api'
import { RUN_JOB_KIND } from '../app/run-jobs'
import type { Studio } from '../app/studio'

/** Run jobs recorded as queued/running that nothing runs: left by a studio that crashed or was killed. */
export function interruptedRunJobs(studio: Studio): JobRecord[] {
  return studio
    .currentJobs()
    .orphaned()
    .filter((j) => j.kind === RUN_JOB_KIND)
}

export function interruptedRunLines(jobs: readonly JobRecord[]): string[] {
  return jobs.map(
    (j) =>
      `Interrupted: ${j.title} (job #${j.id}) — it resumes when the project is opened with \`pss-studio serve\` or the desktop app`,
  )
}
