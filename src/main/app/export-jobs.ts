/**
 * startMaskExport: the mask export (annotation/export-masks.ts) as a job, so the UI shows its progress
 * (one step per photo) and can cancel it. The export writes into a temp folder and renames it into
 * place at the end, so a cancelled or failed job leaves `out` as it was.
 */
import type { HandlerContext, HandlerGroup } from './handler-context'

export const EXPORT_QUEUE = 'export'

export function exportJobHandlers(ctx: HandlerContext): HandlerGroup<'startMaskExport'> {
  return {
    startMaskExport: (a) => {
      const project = ctx.project()
      const album = project.albums.get(a.albumId) // NOT_FOUND before a job is queued
      const job = ctx.jobs().enqueue(
        {
          kind: 'export-masks',
          title: `Export masks of "${album.name}" (${a.format.toUpperCase()}) to ${a.out}`,
          args: a,
          queue: EXPORT_QUEUE,
        },
        async (job) => {
          const { exportMasks } = await import('../annotation/export-masks')
          return exportMasks(project, a, {
            progress: (done, total) =>
              job.progress({ done, total, message: `${done} of ${total} photos written` }),
            cancelled: () => job.cancelled(),
          })
        },
      )
      return { jobId: job.id }
    },
  }
}
