// Package screening imports screening lists (the U.S. Consolidated
// Screening List: Entity List, SDN, Denied Persons, Unverified, Military End
// User…) and searches them by name across spellings and scripts.
//
// Every import is a version of its list format: the newest is active and
// searched, older ones stay as history, superseded. An import is one
// transaction: a malformed file leaves the active version as it was.
package screening

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/entities/match"
)

// FormatCSL is the U.S. Consolidated Screening List CSV format.
const FormatCSL = "csl"

// Entry is one listed party.
type Entry struct {
	Line      int               // line of the imported file where the entry starts
	List      string            // source list, e.g. "Entity List (EL) - Bureau of Industry and Security"
	EntryID   string            // the list's id of the entry
	Type      string            // Entity, Individual, Vessel, Aircraft, or empty
	Name      string            // the listed name
	Aliases   []string          // other names, without the listed name
	Programs  []string          // sanctions programs or regulations
	Countries []string          // ISO 3166 codes from addresses, citizenships and nationalities
	Details   map[string]string // the list's other non-empty columns (addresses, remarks, start_date…)
}

// Version is one import of a list.
type Version struct {
	ID           int64      `json:"id"`
	Format       string     `json:"format"`
	Label        string     `json:"label"`    // what the importer called it, e.g. the file's base name
	Checksum     string     `json:"checksum"` // SHA-256 of the imported file, hex
	Entries      int        `json:"entries"`
	Names        int        `json:"names"` // listed names and aliases
	ImportedAt   time.Time  `json:"imported_at"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"` // nil for the active version
}

// ImportResult is what an import stored.
type ImportResult struct {
	Version  Version  `json:"version"`
	Replaced *Version `json:"replaced,omitempty"` // the version it superseded, if any
}

// EntryReader yields the entries of an imported file one at a time.
type EntryReader interface {
	// Next returns the next entry, io.EOF after the last, or an Invalid
	// error naming the line of a malformed one.
	Next() (Entry, error)
	// Checksum is the SHA-256 (hex) of everything read; valid after io.EOF.
	Checksum() string
}

// Name is a listed name or alias of a candidate entry.
type Name struct {
	Text  string
	Alias bool
}

// Candidate is an entry whose names may match a search, with all its names.
type Candidate struct {
	Entry Entry
	Names []Name
}

// Store keeps screening lists.
type Store interface {
	// ImportScreening stores the entries r yields as the new active version
	// of format, superseding the active one, in one transaction: when r
	// fails (its Invalid errors pass through) nothing is stored.
	ImportScreening(ctx context.Context, format, label string, at time.Time, r EntryReader) (ImportResult, error)
	// ScreeningVersions lists every version, newest first.
	ScreeningVersions(ctx context.Context) ([]Version, error)
	// ScreeningCandidates returns up to limit entries of the active
	// versions whose names resemble name most in the candidate index, best
	// first, each with all its names.
	ScreeningCandidates(ctx context.Context, name string, limit int) ([]Candidate, error)
}

// Hit is a listed party that matches a searched name.
type Hit struct {
	List        string   `json:"list"`         // source list, e.g. "Entity List (EL) - Bureau of Industry and Security"
	EntryID     string   `json:"entry_id"`     // the list's id of the entry
	ListedName  string   `json:"listed_name"`  // the entry's name
	MatchedName string   `json:"matched_name"` // the name or alias that matched
	Score       float64  `json:"score"`        // 0..1
	Explanation []string `json:"explanation"`
	Programs    []string `json:"programs"`
	Countries   []string `json:"countries"`
}

// Defaults of a Service.
const (
	DefaultMinScore = 0.5
	// aliasFactor keeps a match on an alias just below the same match on
	// the listed name.
	aliasFactor = 0.97
	// candidatesPerHit is how many index candidates a search ranks for
	// each hit asked for.
	candidatesPerHit = 10
	minCandidates    = 100
	maxLimit         = 200
)

// Service imports and searches screening lists.
type Service struct {
	Store    Store
	MinScore float64 // hits score at least this; 0 means DefaultMinScore
}

// New returns a Service on store.
func New(store Store) *Service {
	return &Service{Store: store}
}

// Import reads a list file of the given format and stores it as the new
// active version, labelled label (e.g. the file's base name), imported at
// at. Invalid for an unknown format or a malformed file, with the line.
func (s *Service) Import(ctx context.Context, format string, r io.Reader, label string, at time.Time) (ImportResult, error) {
	label = strings.TrimSpace(label)
	if len(label) > 200 {
		return ImportResult{}, tipline.Errorf(tipline.Invalid, "The label is longer than 200 characters.")
	}
	var er EntryReader
	switch format {
	case FormatCSL:
		var err error
		if er, err = NewCSLReader(r); err != nil {
			return ImportResult{}, err
		}
	default:
		return ImportResult{}, tipline.Errorf(tipline.Invalid, "Unknown list format %q: use csl.", format)
	}
	return s.Store.ImportScreening(ctx, format, label, at.UTC(), er)
}

// Versions lists every imported version, newest first.
func (s *Service) Versions(ctx context.Context) ([]Version, error) {
	return s.Store.ScreeningVersions(ctx)
}

// Search returns up to limit hits for name in the active lists, best first.
func (s *Service) Search(ctx context.Context, name string, limit int) ([]Hit, error) {
	q := match.Parse(name)
	if q.Normalized() == "" {
		return nil, tipline.Errorf(tipline.Invalid, "Enter a name to search for.")
	}
	limit = min(max(limit, 1), maxLimit)
	minScore := s.MinScore
	if minScore == 0 {
		minScore = DefaultMinScore
	}
	cands, err := s.Store.ScreeningCandidates(ctx, name, max(limit*candidatesPerHit, minCandidates))
	if err != nil {
		return nil, err
	}
	hits := []Hit{}
	for _, c := range cands {
		var best match.Score
		bestName := ""
		for _, n := range c.Names {
			sc := q.Compare(match.Parse(n.Text))
			if n.Alias {
				sc.Value = math.Round(sc.Value*aliasFactor*1000) / 1000
				sc.Explanation = append([]string{fmt.Sprintf("matched the alias %q", n.Text)}, sc.Explanation...)
			}
			if sc.Value > best.Value {
				best, bestName = sc, n.Text
			}
		}
		if best.Value < minScore {
			continue
		}
		hits = append(hits, Hit{
			List: c.Entry.List, EntryID: c.Entry.EntryID, ListedName: c.Entry.Name, MatchedName: bestName,
			Score: best.Value, Explanation: best.Explanation,
			Programs: nonNil(c.Entry.Programs), Countries: nonNil(c.Entry.Countries),
		})
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.List, b.List); c != 0 {
			return c
		}
		return cmp.Compare(a.EntryID, b.EntryID)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
