/**
 * Reading the generated contract (schema.d.ts, written by `npm run api:types` from the route
 * schemas): the JSON body of a response, a request body or a query of one route. The web's API
 * types are aliases of these, so a schema change shows up here as a type error, not as a
 * property that silently goes missing.
 *
 * @example
 * type HexResponse = Json<'/api/hexes', 'get'>            // 200 body of GET /api/hexes
 * type HexCell = HexResponse['cells'][number]
 * type PlanRequest = Body<'/api/patrol-plans', 'post'>
 */
import type { Geometry, Feature, FeatureCollection } from 'geojson'
import type { paths } from './schema.d.ts'

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete'
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>

/** The `application/json` body of the `S` answer (200 by default) of `M P`. */
export type Json<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M> extends { responses: infer R }
    ? S extends keyof R ? R[S] extends { content: { 'application/json': infer B } } ? B : never : never
    : never

/** The JSON request body of `M P`. */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never

/** The path parameters of `M P` (ids are accepted as the strings the API returns and as integers). */
export type Path<P extends keyof paths, M extends Method> = NonNullable<Operation<P, M>['parameters']['path']>

/** The query parameters of `M P`. */
export type Query<P extends keyof paths, M extends Method> = NonNullable<Operation<P, M>['parameters']['query']>

/**
 * A generated GeoJSON feature collection with a GeoJSON geometry type: the schemas describe the
 * properties field by field but a geometry only as "a GeoJSON geometry" (an open object).
 */
export type GeoCollection<C extends { features: Array<{ properties: unknown }> }, G extends Geometry> =
  FeatureCollection<G, C['features'][number]['properties']>
export type GeoFeature<F extends { properties: unknown }, G extends Geometry> = Feature<G, F['properties']>

/** True when `A` and `B` are the same type; `Check<Same<A, B>>` fails to compile otherwise. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export type Check<T extends true> = T
