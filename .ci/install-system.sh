#!/usr/bin/env bash
# Installs what the browser, accessibility, PDF, PostGIS and load tests need outside the venv:
# Debian packages (Chromium, PostgreSQL 15 + PostGIS 3, WeasyPrint's libraries, fonts, poppler,
# zbar, wrk) and axe-core's axe.min.js from the npm registry. Idempotent: a second run that
# finds everything in place installs nothing and asks no registry.
#
# Tests find axe-core through AXE_CORE_JS (default below); the last line printed says where it is.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

AXE_CORE_VERSION=4.14.1
AXE_CORE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c  # its axe.min.js
CI_CACHE_DIR=${ROUTEKAART_CI_CACHE:-/var/cache/routekaart-ci}
AXE_CORE_JS=${AXE_CORE_JS:-$CI_CACHE_DIR/axe-core-$AXE_CORE_VERSION/axe.min.js}

PACKAGES=(
    chromium                                          # /usr/bin/chromium, driven by Playwright
    postgresql-15 postgresql-15-postgis-3             # throwaway PostGIS server (.ci/postgres.sh)
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  # WeasyPrint
    fonts-dejavu-core fonts-liberation2               # fonts for WeasyPrint and Chromium
    poppler-utils                                     # pdftotext, pdffonts, pdftoppm
    libzbar0                                          # QR decoding with PyPI pyzbar
    wrk                                               # load tests on loopback
)

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" != "ii " ]; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-system: apt-get install ${missing[*]}"
    $SUDO apt-get update -qq -o DPkg::Lock::Timeout=300
    $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "install-system: Debian packages already installed"
fi

# axe-core: the npm tarball, unpacked (no node_modules, no package.json in the repo).
if [ -f "$AXE_CORE_JS" ] && head -c 64 "$AXE_CORE_JS" | grep -q "axe v$AXE_CORE_VERSION"; then
    echo "install-system: axe-core $AXE_CORE_VERSION already at $AXE_CORE_JS"
else
    echo "install-system: fetching axe-core@$AXE_CORE_VERSION from the npm registry"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tgz=$(cd "$tmp" && npm pack --silent --loglevel=error "axe-core@$AXE_CORE_VERSION" | tail -n 1)
    tar -xzf "$tmp/$tgz" -C "$tmp" package/axe.min.js package/LICENSE
    echo "$AXE_CORE_SHA256  $tmp/package/axe.min.js" | sha256sum -c --quiet -
    $SUDO mkdir -p "$(dirname "$AXE_CORE_JS")"
    $SUDO cp "$tmp/package/LICENSE" "$(dirname "$AXE_CORE_JS")/LICENSE"
    $SUDO cp "$tmp/package/axe.min.js" "$AXE_CORE_JS.part"
    $SUDO mv -f "$AXE_CORE_JS.part" "$AXE_CORE_JS"
fi

echo "AXE_CORE_JS=$AXE_CORE_JS"
