#!/usr/bin/env bash
# The whole test suite: provisions what a fresh Debian machine lacks (PostGIS, Chromium, a running
# PostgreSQL, a test role), builds the page, type-checks, and runs every test once.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[test] %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_install() {
  if ! is_root; then
    say "Missing Debian package(s): $*. Install them (sudo apt-get install -y $*) or run this as root."
    exit 1
  fi
  say "Installing $* from Debian"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 0. The shared geodata folder (never copied into the repository).
geo_dir="${GEO_DIR:-../shared/geo}"
if [ ! -f "$geo_dir/haiphong_wards_2025.geojson" ]; then
  say "The geodata folder $geo_dir is missing or incomplete: put the shared folder beside the project (../shared/geo) or set GEO_DIR."
  exit 1
fi

# 1. Chromium for the browser test (Debian's; playwright-core never downloads one).
command -v chromium >/dev/null 2>&1 || apt_install chromium
# Noto fonts give the page's Vietnamese text its diacritics in screenshots.
[ -d /usr/share/fonts/truetype/noto ] || apt_install fonts-noto-core

# 2. PostgreSQL 15 + PostGIS 3, unless the caller names a server of its own.
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  [ -f /usr/share/postgresql/15/extension/postgis.control ] || apt_install postgresql-15 postgresql-15-postgis-3
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if is_root; then
      [ -d /etc/postgresql/15/main ] || pg_createcluster 15 main >/dev/null
      say "Starting PostgreSQL 15"
      pg_ctlcluster --skip-systemctl-redirect 15 main start
      for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    pg_isready -q -h 127.0.0.1 -p 5432 || {
      say "No PostgreSQL answers on 127.0.0.1:5432. Start one with PostGIS 3, or set TEST_DATABASE_URL=postgres://user:pass@host:port/db (a role allowed to CREATE DATABASE and CREATE EXTENSION postgis)."
      exit 1
    }
  fi
  if psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
  elif is_root; then
    # A fresh cluster asks for passwords over TCP: make a test superuser through the local socket.
    runuser -u postgres -- psql -q -d postgres -c "do \$\$ begin
      if not exists (select from pg_roles where rolname = 'vnpm_test') then
        create role vnpm_test login superuser password 'vnpm_test'; end if; end \$\$" >/dev/null
    export TEST_DATABASE_URL=postgres://vnpm_test:vnpm_test@127.0.0.1:5432/postgres
  else
    say "Cannot log in to PostgreSQL on 127.0.0.1:5432 as postgres. Set TEST_DATABASE_URL to a role allowed to CREATE DATABASE and CREATE EXTENSION postgis."
    exit 1
  fi
fi
say "Test database server: ${TEST_DATABASE_URL%%@*}@…"

# 3. Type-check, build the page, run every test.
say "Type-checking"
npx tsx scripts/api-types.ts --check
npx tsc --noEmit -p .
npx svelte-check --workspace web --threshold error --output human
say "Building the web page"
npx vite build --logLevel warn
say "Running the tests"
npx vitest run "$@"
