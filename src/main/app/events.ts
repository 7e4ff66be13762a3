/** A small typed event bus for StudioEvents; a throwing listener never breaks the emitter or others. */
import type { StudioEventName, StudioEvents } from '../../shared/api'

type Listener<E extends StudioEventName> = (payload: StudioEvents[E]) => void

export class StudioEventBus {
  private readonly listeners = new Map<StudioEventName, Set<Listener<StudioEventName>>>()

  on<E extends StudioEventName>(event: E, cb: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) {
      set = new Set()
      this.listeners.set(event, set)
    }
    const l = cb as Listener<StudioEventName>
    set.add(l)
    return () => {
      set.delete(l)
    }
  }

  emit<E extends StudioEventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        ;(l as Listener<E>)(payload)
      } catch (e) {
        console.error(`PSS Studio: a "${event}" listener failed:`, e)
      }
    }
  }
}
