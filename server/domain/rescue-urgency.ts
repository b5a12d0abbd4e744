/**
 * How urgent a call for rescue from an evacuation zone is, and the severity (1–5) of the `rescue`
 * incident it becomes: low 3, high 4, critical 5. Open requests are listed most urgent first.
 */
export const RESCUE_SEVERITY = { low: 3, high: 4, critical: 5 } as const
export type RescueUrgency = keyof typeof RESCUE_SEVERITY
export const RESCUE_URGENCIES = Object.keys(RESCUE_SEVERITY) as RescueUrgency[]
