#!/usr/bin/env bash
# Refresh the vendored JavaScript of the HTML output from the npm registry:
#   visualizer/data/vendor/cytoscape.min.js and its licence (MIT).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:-3.35.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "cytoscape@$VERSION" >/dev/null && tar xzf "cytoscape-$VERSION.tgz")
cp "$tmp/package/dist/cytoscape.min.js" visualizer/data/vendor/cytoscape.min.js
cp "$tmp/package/LICENSE" visualizer/data/vendor/cytoscape.LICENSE
echo "vendored cytoscape $VERSION" >&2
