/**
 * Area-share estimate of who lives in an evacuation zone when the figures are not given:
 *
 *   population = commune population × area(zone ∩ commune) / area(commune)   (areas in m², geography)
 *   households = population / AVERAGE_HOUSEHOLD_SIZE
 *   elderly    = population × ELDERLY_SHARE,  children = population × CHILDREN_SHARE,
 *   disabled   = population × DISABLED_SHARE
 *
 * each rounded to the nearest whole number. The vulnerable groups overlap (an elderly person may
 * also be disabled), so `vulnerable` = elderly + disabled + children is a sum of groups, an upper
 * bound on the number of people.
 */

/**
 * Persons per household. Vietnam's 2019 Population and Housing Census counted an average of 3.5
 * persons per household (GSO, "Kết quả toàn bộ Tổng điều tra dân số và nhà ở năm 2019"). Used when
 * the commune has no figure of its own (the communes table carries none today).
 */
export const AVERAGE_HOUSEHOLD_SIZE = 3.5

/**
 * Shares of vulnerable groups in the population — national approximations, not local figures:
 * - ELDERLY_SHARE: people aged 60 and over, about 12 % (2019 Census: 11.9 %; GSO 2021 ageing report).
 * - CHILDREN_SHARE: children under 16, about 24 % (2019 Census: 0–14 is 24.3 %; under 16 is a
 *   little more, rounded down to 24 %).
 * - DISABLED_SHARE: people with a disability aged 2 and over, about 7 % (National Survey on People
 *   with Disabilities 2016, GSO/UNICEF: 7.06 %).
 */
export const ELDERLY_SHARE = 0.12
export const CHILDREN_SHARE = 0.24
export const DISABLED_SHARE = 0.07

export const AT_RISK_FIELDS = ['households', 'population', 'elderly', 'disabled', 'children'] as const
export type AtRiskField = typeof AT_RISK_FIELDS[number]
export type AtRisk = Record<AtRiskField, number>

/**
 * Fills the figures not given from the zone's share of the commune's area and population;
 * `estimated` lists the fields that were filled. Given figures are kept as they are.
 *
 * @example
 * estimateAtRisk({ communePopulation: 10_000, zoneAreaM2: 5e6, communeAreaM2: 1e7 }, {})
 * // → { figures: { population: 5000, households: 1429, elderly: 600, disabled: 350, children: 1200 }, estimated: [all five] }
 */
export function estimateAtRisk (
  area: { communePopulation: number, zoneAreaM2: number, communeAreaM2: number, householdSize?: number },
  given: Partial<Record<AtRiskField, number | null | undefined>>
): { figures: AtRisk, estimated: AtRiskField[] } {
  const estimated: AtRiskField[] = []
  const share = area.communeAreaM2 > 0 ? Math.min(1, area.zoneAreaM2 / area.communeAreaM2) : 0
  const pick = (field: AtRiskField, estimate: () => number): number => {
    const value = given[field]
    if (value !== undefined && value !== null) return value
    estimated.push(field)
    return Math.round(estimate())
  }
  const population = pick('population', () => area.communePopulation * share)
  const households = pick('households', () => population / (area.householdSize ?? AVERAGE_HOUSEHOLD_SIZE))
  const elderly = pick('elderly', () => population * ELDERLY_SHARE)
  const disabled = pick('disabled', () => population * DISABLED_SHARE)
  const children = pick('children', () => population * CHILDREN_SHARE)
  return { figures: { households, population, elderly, disabled, children }, estimated: AT_RISK_FIELDS.filter(f => estimated.includes(f)) }
}
