/**
 * One recorded GPS position: what track parsers produce, cleaning keeps or drops, and dwell
 * binning shares out between cells. Pure vocabulary, so the binning in server/h3/ depends on
 * nothing in patrols/.
 */
export interface Fix { lon: number, lat: number, time: number /* epoch ms UTC */ }
