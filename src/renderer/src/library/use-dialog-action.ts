// The state every album dialog's one action shares: a busy flag while it runs (the submit button shows it
// and refuses a second click) and the message of the error it ended with, shown in the dialog.
import { ref, type Ref } from 'vue'
import { toStudioError } from '../api/studio-error'

export interface DialogAction {
  busy: Ref<boolean>
  error: Ref<string | null>
  /** Runs `action` unless one is running; clears the error first and records the one it throws. */
  run(action: () => Promise<void>): Promise<void>
}

export function useDialogAction(): DialogAction {
  const busy = ref(false)
  const error = ref<string | null>(null)
  async function run(action: () => Promise<void>): Promise<void> {
    if (busy.value) return
    busy.value = true
    error.value = null
    try {
      await action()
    } catch (err) {
      error.value = toStudioError(err).message
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
