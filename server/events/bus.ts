import { EventEmitter } from 'node:events'

/** What the live feed says about an incident that was created or changed. */
export interface IncidentSnapshot {
  id: number
  category: string
  severity: number
  status: string
  occurred_at: string
  lon: number
  lat: number
  commune_code: string
  province_code: string
}

export interface IncidentEvent {
  /** Increasing sequence number of this server process (the SSE id). */
  id: number
  type: 'incident.created' | 'incident.updated'
  at: string
  incident: IncidentSnapshot
}

/** How long published events stay available to clients that reconnect with Last-Event-ID. */
export const REPLAY_WINDOW_MS = 20 * 60_000

/**
 * In-process bus of incident changes, published after the writing transaction commits, with a
 * replay buffer for reconnecting clients. One server process; several processes would put
 * PostgreSQL LISTEN/NOTIFY (or a broker) behind the same interface.
 */
export class IncidentEventBus {
  private emitter = new EventEmitter()
  private buffer: IncidentEvent[] = []
  private nextId = 1

  constructor (private readonly now: () => number = Date.now) {
    this.emitter.setMaxListeners(0)
  }

  publish (type: IncidentEvent['type'], incident: IncidentSnapshot): IncidentEvent {
    const event: IncidentEvent = { id: this.nextId++, type, at: new Date(this.now()).toISOString(), incident }
    this.buffer.push(event)
    this.prune()
    this.emitter.emit('event', event)
    return event
  }

  subscribe (listener: (event: IncidentEvent) => void): () => void {
    this.emitter.on('event', listener)
    return () => { this.emitter.off('event', listener) }
  }

  /** Events after the given id still in the replay window, oldest first. */
  since (lastId: number): IncidentEvent[] {
    this.prune()
    return this.buffer.filter(event => event.id > lastId)
  }

  private prune () {
    const cutoff = this.now() - REPLAY_WINDOW_MS
    let drop = 0
    while (drop < this.buffer.length && Date.parse(this.buffer[drop]!.at) < cutoff) drop++
    if (drop > 0) this.buffer.splice(0, drop)
  }
}
