/**
 * How the editor's panels reach the one session and its keyboard: the view provides them, each panel
 * injects them (no prop drilling of two dozen values, no copies of the state).
 */
import { inject, provide, type InjectionKey } from 'vue'
import type { EditorKeys } from './editor-keys'
import type { AnnotateSession } from './session'

export interface AnnotateContext {
  session: AnnotateSession
  keys: EditorKeys
}

const KEY: InjectionKey<AnnotateContext> = Symbol('annotate-context')

export function provideAnnotate(ctx: AnnotateContext): void {
  provide(KEY, ctx)
}

export function useAnnotate(): AnnotateContext {
  const ctx = inject(KEY, null)
  if (!ctx)
    throw new Error(
      'annotate/context.ts: an editor panel was mounted outside AnnotateView (no session provided)',
    )
  return ctx
}
