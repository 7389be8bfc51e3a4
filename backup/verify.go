package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline/database"
)

// Problem is one way a copy differs from its manifest.
type Problem struct {
	Path string `json:"path"`
	// Kind is "missing" (in the manifest, not in the folder), "extra" (in
	// the folder, not in the manifest) or "changed" (size or SHA-256
	// differs).
	Kind string `json:"kind"`
}

func (p Problem) String() string { return p.Kind + ": " + p.Path }

// WriteManifest writes the manifest of a copy put together with other
// tools in the layout of Make (a pg_dump custom-format dump or a SQLite
// file under database/, blobs mirrored under blobs/), describing its files
// as they are now. The folder must have no manifest yet.
func WriteManifest(dir string, now time.Time) (Manifest, error) {
	m := Manifest{Format: Format, Day: now.UTC().Format(time.DateOnly)}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err == nil {
		return m, fmt.Errorf("backup: %s already has a manifest", dir)
	}
	for dialect, rel := range map[database.Dialect]string{database.SQLite: sqliteCopy, database.Postgres: postgresDump} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err == nil {
			if m.Dialect != "" {
				return m, errors.New("backup: the folder holds both a SQLite file and a PostgreSQL dump")
			}
			m.Dialect = dialect
		}
	}
	if m.Dialect == "" {
		return m, fmt.Errorf("backup: the folder holds neither %s nor %s", sqliteCopy, postgresDump)
	}
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, name)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != sqliteCopy && rel != postgresDump && !strings.HasPrefix(rel, blobsFolder+"/") {
			return fmt.Errorf("backup: %s is not part of a copy's layout", rel)
		}
		f, err := describe(dir, rel)
		m.Files = append(m.Files, f)
		return err
	})
	if err != nil {
		return m, err
	}
	return m, writeManifest(dir, m)
}

// Verify reads the manifest of the copy in dir and checks every file
// against it: each listed file must be there with its size and SHA-256,
// and no other file may be. Problems come sorted by path.
func Verify(dir string) (Manifest, []Problem, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m, nil, fmt.Errorf("backup: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Format != Format {
		return m, nil, fmt.Errorf("backup: %s is not a %s manifest", ManifestName, Format)
	}
	listed := map[string]File{}
	for _, f := range m.Files {
		listed[f.Path] = f
	}
	var problems []Problem
	err = filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, name)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestName {
			return nil
		}
		want, ok := listed[rel]
		if !ok {
			problems = append(problems, Problem{rel, "extra"})
			return nil
		}
		delete(listed, rel)
		got, err := describe(dir, rel)
		if err != nil {
			return err
		}
		if got != want {
			problems = append(problems, Problem{rel, "changed"})
		}
		return nil
	})
	if err != nil {
		return m, nil, fmt.Errorf("backup: %w", err)
	}
	for rel := range listed {
		problems = append(problems, Problem{rel, "missing"})
	}
	slices.SortFunc(problems, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return m, problems, nil
}
