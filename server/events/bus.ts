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

/** Kinds of evacuation change on the live feed (see server/evacuation/routes.ts). */
export const EVACUATION_EVENT_TYPES = ['evacuation.zone', 'evacuation.progress', 'evacuation.shelter', 'evacuation.rescue_request'] as const
export type EvacuationEventType = typeof EVACUATION_EVENT_TYPES[number]

/**
 * What the live feed says about an evacuation change: where it happened (the stream scopes on
 * province_code and commune_code), the zone if any, and summary fields of the change.
 */
export interface EvacuationSnapshot {
  province_code: string
  commune_code: string
  zone_id?: string | null
  [field: string]: unknown
}

export interface EvacuationEvent {
  id: number
  type: EvacuationEventType
  at: string
  evacuation: EvacuationSnapshot
}

/** Every event the live feed carries. */
export type LiveEvent = IncidentEvent | EvacuationEvent

export function isIncidentEvent (event: LiveEvent): event is IncidentEvent {
  return event.type === 'incident.created' || event.type === 'incident.updated'
}

/** The place an event happened, by which the stream applies the user's jurisdiction. */
export function placeOf (event: LiveEvent): { province_code: string, commune_code: string } {
  return isIncidentEvent(event) ? event.incident : event.evacuation
}

/** How long published events stay available to clients that reconnect with Last-Event-ID. */
export const REPLAY_WINDOW_MS = 20 * 60_000

/**
 * In-process bus of live changes (incidents and evacuation), published after the writing
 * transaction commits, with one id sequence and a replay buffer for reconnecting clients. One
 * server process; several processes would put PostgreSQL LISTEN/NOTIFY (or a broker) behind the
 * same interface.
 *
 * `subscribe` and `since` without a second argument see incident events only (what incident code
 * and its tests expect); with 'all' they see every event (what the stream sends).
 */
export class IncidentEventBus {
  private emitter = new EventEmitter()
  private buffer: LiveEvent[] = []
  private nextId = 1

  constructor (private readonly now: () => number = Date.now) {
    this.emitter.setMaxListeners(0)
  }

  publish (type: IncidentEvent['type'], incident: IncidentSnapshot): IncidentEvent {
    const event: IncidentEvent = { id: this.nextId++, type, at: new Date(this.now()).toISOString(), incident }
    this.push(event)
    return event
  }

  publishEvacuation (type: EvacuationEventType, evacuation: EvacuationSnapshot): EvacuationEvent {
    const event: EvacuationEvent = { id: this.nextId++, type, at: new Date(this.now()).toISOString(), evacuation }
    this.push(event)
    return event
  }

  subscribe (listener: (event: IncidentEvent) => void): () => void
  subscribe (listener: (event: LiveEvent) => void, kinds: 'all'): () => void
  subscribe (listener: (event: never) => void, kinds?: 'all'): () => void {
    const all = listener as (event: LiveEvent) => void
    const wrapped = kinds === 'all' ? all : (event: LiveEvent) => { if (isIncidentEvent(event)) all(event) }
    this.emitter.on('event', wrapped)
    return () => { this.emitter.off('event', wrapped) }
  }

  /** Events after the given id still in the replay window, oldest first. */
  since (lastId: number): IncidentEvent[]
  since (lastId: number, kinds: 'all'): LiveEvent[]
  since (lastId: number, kinds?: 'all'): LiveEvent[] {
    this.prune()
    return this.buffer.filter(event => event.id > lastId && (kinds === 'all' || isIncidentEvent(event)))
  }

  private push (event: LiveEvent) {
    this.buffer.push(event)
    this.prune()
    this.emitter.emit('event', event)
  }

  private prune () {
    const cutoff = this.now() - REPLAY_WINDOW_MS
    let drop = 0
    while (drop < this.buffer.length && Date.parse(this.buffer[drop]!.at) < cutoff) drop++
    if (drop > 0) this.buffer.splice(0, drop)
  }
}

/** The same bus under the name that says what it carries now. */
export { IncidentEventBus as LiveEventBus }
