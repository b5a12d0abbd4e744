import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { geoPaths, projectRoot } from '../config.ts'
import { publicRoutes } from './auth.ts'

/**
 * Serves the built page (dist/web) at / and the offline basemap assets read from the shared
 * geo folder: /geo/naturalearth/*.geojson and /geo/glyphs/{fontstack}/{range}.pbf. All of it is
 * public (the sign-in page needs it); every route here is marked so, as the default is private.
 */
export default fp(async function staticFiles (app: FastifyInstance, options: { geoDir: string, webDir?: string }) {
  const paths = geoPaths(options.geoDir)
  // @fastify/static sets its own content type after any setHeaders: name ours as the file is sent.
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url ?? ''
    if (reply.statusCode === 200 && route.startsWith('/geo/glyphs/')) reply.header('content-type', 'application/x-protobuf')
    if (reply.statusCode === 200 && route.startsWith('/geo/naturalearth/') && request.url.endsWith('.geojson')) reply.header('content-type', 'application/geo+json')
    return payload
  })
  await app.register(publicRoutes(fastifyStatic, {
    root: paths.naturalEarthDir, prefix: '/geo/naturalearth/', decorateReply: false, maxAge: '1d'
  }))
  await app.register(publicRoutes(fastifyStatic, {
    root: paths.glyphsDir, prefix: '/geo/glyphs/', decorateReply: false, maxAge: '7d'
  }))
  const webDir = options.webDir ?? resolve(projectRoot, 'dist/web')
  if (existsSync(webDir)) {
    await app.register(publicRoutes(fastifyStatic, { root: webDir, prefix: '/', decorateReply: false, wildcard: true, index: ['index.html'] }))
  } else {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.type('text/plain; charset=utf-8')
      .send('The web page is not built yet: run `npm run build` (npm start does this).'))
  }
}, { name: 'static-files' })
