// Package migrations embeds the SQL schema of record: goose migrations in one
// folder per database dialect (postgres/ and sqlite/), numbered alike, so that
// both dialects always describe the same schema.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
