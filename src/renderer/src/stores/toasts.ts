/** Messages for the user: API errors (stay until dismissed) and short notices (fade out). */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { StudioError } from '../api-client'
import { toStudioError } from '../api/studio-error'

export type ToastKind = 'error' | 'warning' | 'success' | 'info'

export interface Toast {
  id: number
  kind: ToastKind
  title: string
  message: string
  /** Per-field problems of a BAD_ARGUMENTS error. */
  issues: { path: string; message: string }[]
  code: string | null
}

const FADE_MS: Record<ToastKind, number | null> = { error: null, warning: 12000, success: 5000, info: 5000 }

export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1

  function push(kind: ToastKind, title: string, message = '', extra: Partial<Pick<Toast, 'issues' | 'code'>> = {}): number {
    const id = nextId++
    toasts.value.push({ id, kind, title, message, issues: extra.issues ?? [], code: extra.code ?? null })
    // Keep the stack short: the oldest notices go first.
    if (toasts.value.length > 6) toasts.value.splice(0, toasts.value.length - 6)
    const fade = FADE_MS[kind]
    if (fade !== null) setTimeout(() => dismiss(id), fade)
    return id
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  /** Shows an API failure: "<title>" + the server's message and issues. */
  function error(err: unknown, title: string): StudioError {
    const e = toStudioError(err)
    push('error', title, e.message, { issues: e.issues, code: e.code })
    return e
  }

  return { toasts, push, dismiss, error }
})
