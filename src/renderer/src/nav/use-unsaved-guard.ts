/**
 * For a screen that holds unsaved work (the annotation editor): every way out of it — another screen, a
 * link, back/forward, closing the project — first asks. "OK" saves and then goes on; if the save fails the
 * user is asked again whether to leave anyway and lose the edits, so work is never dropped silently and
 * a broken save never traps the user. Registered for the lifetime of the calling component.
 */
import { onBeforeUnmount } from 'vue'
import { useNavStore } from '../stores/nav'

export interface UnsavedWork {
  /** Whether there is something to lose now. */
  dirty: () => boolean
  /** What the work is, for the question ("IMG_1001.jpg"). */
  name: () => string
  /** Stores it; resolves to whether it was stored. */
  save: () => Promise<boolean>
}

export function useUnsavedGuard(
  work: UnsavedWork,
  ask: (question: string) => boolean = (q) => window.confirm(q),
): void {
  const nav = useNavStore()
  // Set once the user chose to leave without the edits: the guard then lets that leaving through.
  let discarding = false
  const remove = nav.addLeaveGuard((proceed) => {
    if (discarding || !work.dirty()) return true
    if (
      !ask(
        `"${work.name()}" has unsaved edits. Save them and leave?\n\nOK saves and leaves; Cancel stays here.`,
      )
    )
      return false
    void work.save().then((ok) => {
      if (ok) return proceed()
      if (!ask(`"${work.name()}" could not be saved. Leave anyway and lose the unsaved edits?`)) return
      discarding = true
      proceed()
      discarding = false
    })
    return false
  })
  onBeforeUnmount(remove)
}
