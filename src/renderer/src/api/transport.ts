/** What the api client needs from a door: call a method, listen to events, name media URLs. */
import type { ApiArgs, ApiMethod, ApiResults, StudioEventName, StudioEvents } from '../../../shared/api'

export type Unsubscribe = () => void

/** Connection state of the event stream (always 'open' for Electron IPC). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

export interface Transport {
  readonly kind: 'electron' | 'http'
  call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResults[M]>
  on<E extends StudioEventName>(event: E, cb: (payload: StudioEvents[E]) => void): Unsubscribe
  /** Called with each change of the event stream's state; after a reconnect, events may have been missed. */
  onConnection(cb: (state: ConnectionState) => void): Unsubscribe
  mediaUrl(ref: string): string
}
