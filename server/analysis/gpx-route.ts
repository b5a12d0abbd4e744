import type { PlannedStop } from './route-planning.ts'

export interface GpxPlan {
  /** Route name shown by the phone, e.g. the team and the date. */
  name: string
  /** [lon, lat] of the start, where the route also ends. */
  start: [number, number]
  stops: PlannedStop[]
  createdAt: Date
  /** Plan duration (return included); when given, the return point says the minute it is reached. */
  durationSeconds?: number
}

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab and line breaks, lone
 * surrogates, U+FFFE/U+FFFF): dropped, since escaping them is not possible.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Text safe in XML content and in double- or single-quoted attributes. */
export function xmlEscape (text: string): string {
  return text.replace(NOT_XML, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

/** 7 decimals ≈ 1 cm: more than a phone's GPS can use, and no exponent notation. */
const coordinate = (value: number) => value.toFixed(7)
const minute = (seconds: number) => Math.round(seconds / 60)

function point (tag: 'wpt' | 'rtept', [lon, lat]: [number, number], name: string, desc?: string): string {
  return `<${tag} lat="${coordinate(lat)}" lon="${coordinate(lon)}"><name>${xmlEscape(name)}</name>` +
    (desc === undefined ? '' : `<desc>${xmlEscape(desc)}</desc>`) + `</${tag}>`
}

/**
 * A patrol plan as GPX 1.1 for phone navigation apps (OsmAnd, Organic Maps, Locus): one `<rte>`
 * whose `<rtept>`s are the start, each stop in order and the return to the start, and a `<wpt>`
 * per stop so apps that show only waypoints still mark every place. A stop is named by its order
 * number and H3 cell ("3 · 8941…"); its description gives the priority and the minute of arrival.
 * Element order follows the GPX 1.1 schema (metadata, wpt, rte; name before desc).
 *
 * @example
 * planToGpx({ name: 'Tổ 1 — 23/11', start: [106.683, 20.859], stops: plan.stops, createdAt: new Date() })
 * // '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="vn-patrol-map" …><rte>…</rte></gpx>\n'
 */
export function planToGpx (plan: GpxPlan): string {
  const stopName = (stop: PlannedStop, k: number) => `${k + 1} · ${stop.id}`
  const stopDesc = (stop: PlannedStop) =>
    `ưu tiên ${stop.priority.toFixed(2)} · đến phút ${minute(stop.arrivalSeconds)} (priority ${stop.priority.toFixed(2)}, arrive at minute ${minute(stop.arrivalSeconds)})`
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gpx version="1.1" creator="vn-patrol-map" xmlns="http://www.topografix.com/GPX/1/1">',
    `  <metadata><name>${xmlEscape(plan.name)}</name><time>${plan.createdAt.toISOString()}</time></metadata>`,
    ...plan.stops.map((stop, k) => '  ' + point('wpt', [stop.lon, stop.lat], stopName(stop, k), stopDesc(stop))),
    `  <rte><name>${xmlEscape(plan.name)}</name>`,
    '    ' + point('rtept', plan.start, 'Xuất phát (start)'),
    ...plan.stops.map((stop, k) => '    ' + point('rtept', [stop.lon, stop.lat], stopName(stop, k), stopDesc(stop))),
    '    ' + point('rtept', plan.start, 'Về điểm xuất phát (return)',
      plan.durationSeconds === undefined ? undefined : `đến phút ${minute(plan.durationSeconds)} (back at minute ${minute(plan.durationSeconds)})`),
    '  </rte>',
    '</gpx>'
  ]
  return lines.join('\n') + '\n'
}
