/**
 * Offline MapLibre style: Natural Earth backdrop and commune polygons, all served by our own
 * server under /geo and /api. No request leaves the machine; no sprite is used.
 */
import type { StyleSpecification, ExpressionSpecification } from 'maplibre-gl'
import type { FeatureCollection } from 'geojson'
import type { Lang } from '../i18n/index.svelte.ts'

export const SOURCES = {
  land: 'ne-land',
  lakes: 'ne-lakes',
  rivers: 'ne-rivers',
  places: 'ne-places',
  communes: 'communes',
  communeLabels: 'commune-labels',
  provinceOutline: 'province-outline'
} as const

export const LAYERS = {
  sea: 'sea',
  land: 'land',
  lakes: 'lakes',
  rivers: 'rivers',
  communeFill: 'commune-fill',
  communeOutline: 'commune-outline',
  /** Dims every commune but the signed-in commune user's own (hidden otherwise). */
  communeDim: 'commune-dim',
  provinceOutline: 'province-outline',
  /** Outline of the signed-in commune user's own commune (hidden otherwise). */
  communeHighlight: 'commune-highlight',
  places: 'place-labels',
  communeLabels: 'commune-labels'
} as const

/** Fontstacks present under /geo/glyphs; each layer names exactly one (no combined stacks). */
export const FONT_REGULAR = 'Noto Sans Regular'
export const FONT_MEDIUM = 'Noto Sans Medium'

export const COLORS = {
  sea: '#c9dcea',
  land: '#f4f2ec',
  water: '#b5d0e6',
  river: '#9cc0de',
  communeFill: '#ffffff',
  communeOutline: '#8d8a99',
  provinceOutline: '#4b3f72',
  communeDim: '#5d5a6e',
  communeHighlight: '#1f5fa8',
  label: '#2f2d3a',
  halo: 'rgba(255, 255, 255, 0.9)'
}

/** Commune labels appear from this zoom on, when a commune is big enough on screen to hold its name. */
export const COMMUNE_LABEL_MINZOOM = 10

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] }

/** Filter matching one commune by code (none when no code). */
export function communeCodeFilter (code: string | undefined, match: boolean): ExpressionSpecification {
  return [match ? '==' : '!=', ['get', 'code'], code ?? '']
}

/** Label text of a commune in the given language (falls back to the Vietnamese name). */
export function communeLabelField (lang: Lang): ExpressionSpecification {
  return lang === 'en' ? ['coalesce', ['get', 'name_en'], ['get', 'name']] : ['get', 'name']
}

/** Natural Earth place names: the Vietnamese `name` has diacritics, `nameascii` suits English. */
export function placeLabelField (lang: Lang): ExpressionSpecification {
  return lang === 'en' ? ['coalesce', ['get', 'nameascii'], ['get', 'name']] : ['get', 'name']
}

export interface BasemapOptions {
  /** `location.origin`: glyph URLs must be absolute. */
  origin: string
  lang: Lang
}

export function basemapStyle ({ origin, lang }: BasemapOptions): StyleSpecification {
  const ne = (name: string) => `${origin}/geo/naturalearth/${name}`
  return {
    version: 8,
    name: 'vn-patrol-offline',
    glyphs: `${origin}/geo/glyphs/{fontstack}/{range}.pbf`,
    sources: {
      [SOURCES.land]: { type: 'geojson', data: ne('ne_10m_land_vn_region.geojson') },
      [SOURCES.lakes]: { type: 'geojson', data: ne('ne_10m_lakes_vn_region.geojson') },
      [SOURCES.rivers]: { type: 'geojson', data: ne('ne_10m_rivers_lake_centerlines_vn_region.geojson') },
      [SOURCES.places]: { type: 'geojson', data: ne('ne_10m_populated_places_simple_vn_region.geojson') },
      [SOURCES.communes]: { type: 'geojson', data: EMPTY },
      [SOURCES.communeLabels]: { type: 'geojson', data: EMPTY },
      [SOURCES.provinceOutline]: { type: 'geojson', data: EMPTY }
    },
    layers: [
      { id: LAYERS.sea, type: 'background', paint: { 'background-color': COLORS.sea } },
      { id: LAYERS.land, type: 'fill', source: SOURCES.land, paint: { 'fill-color': COLORS.land } },
      { id: LAYERS.lakes, type: 'fill', source: SOURCES.lakes, paint: { 'fill-color': COLORS.water } },
      {
        id: LAYERS.rivers,
        type: 'line',
        source: SOURCES.rivers,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': COLORS.river,
          'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 10, 1.6, 14, 3]
        }
      },
      {
        id: LAYERS.communeFill,
        type: 'fill',
        source: SOURCES.communes,
        paint: { 'fill-color': COLORS.communeFill, 'fill-opacity': 0.35 }
      },
      {
        id: LAYERS.communeOutline,
        type: 'line',
        source: SOURCES.communes,
        layout: { 'line-join': 'round' },
        paint: {
          'line-color': COLORS.communeOutline,
          'line-width': ['interpolate', ['linear'], ['zoom'], 7, 0.3, 10, 0.8, 14, 1.5],
          'line-opacity': 0.85
        }
      },
      {
        id: LAYERS.communeDim,
        type: 'fill',
        source: SOURCES.communes,
        layout: { visibility: 'none' },
        filter: communeCodeFilter(undefined, false),
        paint: { 'fill-color': COLORS.communeDim, 'fill-opacity': 0.16 }
      },
      {
        id: LAYERS.provinceOutline,
        type: 'line',
        source: SOURCES.provinceOutline,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: {
          'line-color': COLORS.provinceOutline,
          'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.2, 10, 2.2, 14, 3.5]
        }
      },
      {
        id: LAYERS.communeHighlight,
        type: 'line',
        source: SOURCES.communes,
        layout: { visibility: 'none', 'line-join': 'round', 'line-cap': 'round' },
        filter: communeCodeFilter(undefined, true),
        paint: {
          'line-color': COLORS.communeHighlight,
          'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2, 12, 3.5, 15, 5]
        }
      },
      {
        id: LAYERS.places,
        type: 'symbol',
        source: SOURCES.places,
        maxzoom: COMMUNE_LABEL_MINZOOM,
        layout: {
          'text-field': placeLabelField(lang),
          'text-font': [FONT_REGULAR],
          'text-size': ['interpolate', ['linear'], ['zoom'], 5, 10, 9, 12],
          'text-max-width': 8,
          'symbol-sort-key': ['get', 'scalerank']
        },
        paint: { 'text-color': '#6b6878', 'text-halo-color': COLORS.halo, 'text-halo-width': 1.2 }
      },
      {
        id: LAYERS.communeLabels,
        type: 'symbol',
        source: SOURCES.communeLabels,
        minzoom: COMMUNE_LABEL_MINZOOM,
        layout: {
          'text-field': communeLabelField(lang),
          'text-font': [FONT_MEDIUM],
          'text-size': ['interpolate', ['linear'], ['zoom'], 10, 11, 14, 14],
          'text-max-width': 7,
          'text-padding': 3
        },
        paint: { 'text-color': COLORS.label, 'text-halo-color': COLORS.halo, 'text-halo-width': 1.5 }
      }
    ]
  }
}
