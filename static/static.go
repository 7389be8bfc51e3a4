// Package static embeds the files served under /static/: stylesheets now,
// scripts (vendored OpenPGP.js among them) as pages need them. Nothing is ever
// loaded from another origin.
package static

import "embed"

// FS holds the static files, by path relative to this folder.
//
//go:embed css js vendor
var FS embed.FS
