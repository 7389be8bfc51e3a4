package store

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities/match"
	"github.com/tipline/tipline/screening"
)

var _ screening.Store = (*Store)(nil)

// screeningIndex is the candidate index of screening-list entries: it holds
// the entries of active versions (an import drops the version it
// supersedes).
var screeningIndex = nameIndex{names: "screening_names", keys: "screening_keys", owner: "entry_id"}

// zeroChecksum stands in for a version's checksum until its file is read.
const zeroChecksum = "0000000000000000000000000000000000000000000000000000000000000000"

type screeningVersionRow struct {
	ID           int64
	Format       string
	Label        string
	Checksum     string
	Entries      int
	Names        int
	ImportedAt   time.Time
	SupersededAt *time.Time
}

func (r screeningVersionRow) version() screening.Version {
	v := screening.Version{ID: r.ID, Format: r.Format, Label: r.Label, Checksum: r.Checksum, Entries: r.Entries,
		Names: r.Names, ImportedAt: r.ImportedAt.UTC()}
	if r.SupersededAt != nil {
		t := r.SupersededAt.UTC()
		v.SupersededAt = &t
	}
	return v
}

// ImportScreening implements screening.Store.
func (s *Store) ImportScreening(ctx context.Context, format, label string, at time.Time, r screening.EntryReader) (screening.ImportResult, error) {
	var res screening.ImportResult
	err := s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if s.db.Dialect == database.SQLite {
			// Statement journals in memory (SQLite decides at BEGIN): on
			// disk, they took most of a large import's time.
			if err := conn.Exec("PRAGMA temp_store = MEMORY").Error; err != nil {
				return err
			}
		}
		return conn.Transaction(func(tx *gorm.DB) error {
			return s.importScreening(tx, format, label, at, r, &res)
		})
	})
	if err != nil {
		return screening.ImportResult{}, translate(err, "Screening list")
	}
	return res, nil
}

// importScreening is ImportScreening in the transaction tx.
func (s *Store) importScreening(tx *gorm.DB, format, label string, at time.Time, r screening.EntryReader, res *screening.ImportResult) error {
	if s.db.Dialect == database.Postgres {
		// Imports of one format in turn: the second waits, then
		// supersedes the first.
		if err := tx.Exec("LOCK TABLE screening_versions IN SHARE ROW EXCLUSIVE MODE").Error; err != nil {
			return translate(err, "Screening list")
		}
	}
	var prev screeningVersionRow
	switch err := tx.Table("screening_versions").Where("format = ? AND superseded_at IS NULL", format).Take(&prev).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return translate(err, "Screening list")
	default:
		if err := tx.Exec("UPDATE screening_versions SET superseded_at = ? WHERE id = ?", at, prev.ID).Error; err != nil {
			return translate(err, "Screening list")
		}
		prev.SupersededAt = &at
		if err := screeningIndex.drop(tx, s.db.Dialect, "SELECT id FROM screening_entries WHERE version_id = ?", prev.ID); err != nil {
			return translate(err, "Screening list")
		}
		old := prev.version()
		res.Replaced = &old
	}
	v := screeningVersionRow{Format: format, Label: label, Checksum: zeroChecksum, ImportedAt: at}
	if err := tx.Table("screening_versions").Create(&v).Error; err != nil {
		return translate(err, "Screening list")
	}
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n, err := s.insertScreeningEntry(tx, v.ID, e)
		if err != nil {
			return err
		}
		v.Entries++
		v.Names += n
	}
	v.Checksum = r.Checksum()
	err := tx.Exec("UPDATE screening_versions SET checksum = ?, entries = ?, names = ? WHERE id = ?",
		v.Checksum, v.Entries, v.Names, v.ID).Error
	if err != nil {
		return translate(err, "Screening list")
	}
	res.Version = v.version()
	return nil
}

// insertScreeningEntry stores one entry with its names and index rows and
// returns how many names it has.
func (s *Store) insertScreeningEntry(tx *gorm.DB, versionID int64, e screening.Entry) (int, error) {
	programs, err := json.Marshal(nonNilStrings(e.Programs))
	if err != nil {
		return 0, tipline.Wrap(tipline.Internal, err, "Internal error.")
	}
	countries, err := json.Marshal(nonNilStrings(e.Countries))
	if err != nil {
		return 0, tipline.Wrap(tipline.Internal, err, "Internal error.")
	}
	details, err := json.Marshal(e.Details)
	if err != nil {
		return 0, tipline.Wrap(tipline.Internal, err, "Internal error.")
	}
	var id int64
	err = tx.Raw("INSERT INTO screening_entries (version_id, line, list, entry_id, type, name, programs, countries, details) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		versionID, e.Line, e.List, e.EntryID, e.Type, e.Name, string(programs), string(countries), string(details)).Scan(&id).Error
	if err != nil {
		return 0, translate(err, "Screening entry")
	}
	names := append([]string{e.Name}, e.Aliases...)
	args := make([]any, 0, 4*len(names))
	values := ""
	for i, n := range names {
		if i > 0 {
			values += ", "
		}
		values += "(?, ?, ?, ?)"
		args = append(args, id, n, i > 0, match.SearchText(n))
	}
	if err := tx.Exec("INSERT INTO screening_names (entry_id, name, alias, search_text) VALUES "+values, args...).Error; err != nil {
		return 0, translate(err, "Screening entry")
	}
	if err := screeningIndex.add(tx, s.db.Dialect, id, names); err != nil {
		return 0, translate(err, "Screening entry")
	}
	return len(names), nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ScreeningVersions implements screening.Store.
func (s *Store) ScreeningVersions(ctx context.Context) ([]screening.Version, error) {
	var rows []screeningVersionRow
	if err := s.db.WithContext(ctx).Table("screening_versions").Order("id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err, "Screening list")
	}
	vs := make([]screening.Version, len(rows))
	for i, r := range rows {
		vs[i] = r.version()
	}
	return vs, nil
}

// ScreeningCandidates implements screening.Store. It reads without a
// transaction (SQLite's would take the write lock): entries are never
// deleted, so its reads agree.
func (s *Store) ScreeningCandidates(ctx context.Context, name string, limit int) ([]screening.Candidate, error) {
	db := s.db.WithContext(ctx)
	ids, err := screeningIndex.candidates(db, s.db.Dialect, name, limit)
	if err != nil {
		return nil, translate(err, "Screening list")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cands, err := screeningCandidates(db, ids)
	if err != nil {
		return nil, translate(err, "Screening list")
	}
	return cands, nil
}

// screeningCandidates loads the entries ids with their names, in the order
// of ids.
func screeningCandidates(db *gorm.DB, ids []int64) ([]screening.Candidate, error) {
	var entries []struct {
		ID        int64
		Line      int
		List      string
		EntryID   string
		Type      string
		Name      string
		Programs  string
		Countries string
		Details   string
	}
	if err := db.Table("screening_entries").Where("id IN ?", ids).Find(&entries).Error; err != nil {
		return nil, err
	}
	var names []struct {
		EntryID int64
		Name    string
		Alias   bool
	}
	if err := db.Table("screening_names").Select("entry_id, name, alias").Where("entry_id IN ?", ids).Order("id").Find(&names).Error; err != nil {
		return nil, err
	}
	byID := make(map[int64]*screening.Candidate, len(entries))
	for _, r := range entries {
		c := &screening.Candidate{Entry: screening.Entry{Line: r.Line, List: r.List, EntryID: r.EntryID, Type: r.Type, Name: r.Name}}
		for _, f := range []struct {
			raw string
			to  any
		}{{r.Programs, &c.Entry.Programs}, {r.Countries, &c.Entry.Countries}, {r.Details, &c.Entry.Details}} {
			if err := json.Unmarshal([]byte(f.raw), f.to); err != nil {
				return nil, err
			}
		}
		byID[r.ID] = c
	}
	for _, n := range names {
		c := byID[n.EntryID]
		c.Names = append(c.Names, screening.Name{Text: n.Name, Alias: n.Alias})
		if n.Alias {
			c.Entry.Aliases = append(c.Entry.Aliases, n.Name)
		}
	}
	out := make([]screening.Candidate, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, *c)
		}
	}
	return out, nil
}
