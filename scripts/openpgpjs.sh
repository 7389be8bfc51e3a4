#!/usr/bin/env bash
# Vendor OpenPGP.js into static/vendor/openpgp/ (make openpgpjs).
#
# Fetches the pinned release from the npm registry with `npm pack`, keeps
# only the minified ES module build and the licence, and records the file's
# SHA-256 in SHA256SUMS. A Go test (server/api_intake_test.go) checks that
# the checked-in file still matches SHA256SUMS, so a hand edit or a partial
# update is caught; the npm tarball's own integrity is checked by npm pack
# against the registry's published hash.
set -euo pipefail

VERSION=6.3.2
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=$REPO/static/vendor/openpgp

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "openpgp@$VERSION" >/dev/null)
tar -xzf "$work/openpgp-$VERSION.tgz" -C "$work" package/dist/openpgp.min.mjs package/LICENSE package/package.json

got=$(node -p "require('$work/package/package.json').version")
[ "$got" = "$VERSION" ] || {
	echo "openpgpjs.sh: npm gave version $got, want $VERSION" >&2
	exit 1
}

mkdir -p "$DEST"
cp "$work/package/dist/openpgp.min.mjs" "$DEST/openpgp.min.mjs"
cp "$work/package/LICENSE" "$DEST/LICENSE"
(cd "$DEST" && sha256sum openpgp.min.mjs LICENSE >SHA256SUMS)
echo "openpgpjs.sh: vendored OpenPGP.js $VERSION into static/vendor/openpgp/" >&2
cat "$DEST/SHA256SUMS" >&2
