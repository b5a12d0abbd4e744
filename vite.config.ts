import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const apiPort = Number(process.env.PORT ?? 3000)

export default defineConfig({
  root: 'web',
  plugins: [svelte()],
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: {
    // In dev the Vite server serves the page and hands API and geo requests to Fastify.
    proxy: {
      '/api': `http://127.0.0.1:${apiPort}`,
      '/geo': `http://127.0.0.1:${apiPort}`
    }
  },
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // One database for the run; files share it, so they run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000
  }
})
