/**
 * WebSocket at /events: every studio event goes to every connected page as JSON `{event, payload}`.
 * Pages never send anything meaningful, so incoming frames are tiny-capped and ignored. A ping
 * heartbeat drops connections whose page went away without closing (sleep, crash).
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import { EVENT_NAMES } from '../../shared/api'
import type { StudioPort } from './studio-port'

export const EVENTS_PATH = '/events'

export class EventsSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  private readonly alive = new WeakMap<WebSocket, boolean>()
  private readonly unsubscribe: (() => void)[]
  private readonly heartbeat: NodeJS.Timeout

  constructor(studio: StudioPort, heartbeatMs: number) {
    this.unsubscribe = EVENT_NAMES.map((event) =>
      studio.on(event, (payload) => this.broadcast(JSON.stringify({ event, payload }))),
    )
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs)
    this.heartbeat.unref()
  }

  /** Completes an already-authorised upgrade. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.alive.set(ws, true)
      ws.on('pong', () => this.alive.set(ws, true))
      ws.on('error', () => ws.terminate())
      ws.on('message', () => {
        /* nothing to receive: events flow one way */
      })
    })
  }

  get clientCount(): number {
    return this.wss.clients.size
  }

  private broadcast(message: string): void {
    for (const ws of this.wss.clients) {
      if (ws.readyState === WebSocket.OPEN) ws.send(message)
    }
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate()
        continue
      }
      this.alive.set(ws, false)
      ws.ping()
    }
  }

  /** Stops forwarding, tells pages we are going away (1001), and closes the socket server. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat)
    for (const off of this.unsubscribe) off()
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down')
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const ws of this.wss.clients) ws.terminate()
      }, 1000)
      this.wss.close(() => {
        clearTimeout(force)
        resolve()
      })
    })
  }
}
