#!/usr/bin/env bash
# Installs what the notifier's cross-parser tests need, once: libical's GObject bindings for the
# system Python (Debian packages, when running as root) and Mozilla's ical.js (npm). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "interop setup: missing $*; install them as root" >&2
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@"
}

if ! /usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0')" >/dev/null 2>&1; then
  apt_install gir1.2-ical-3.0 python3-gi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

if [ ! -d node_modules/ical.js ] && command -v npm >/dev/null 2>&1; then
  npm install --no-audit --no-fund
fi
