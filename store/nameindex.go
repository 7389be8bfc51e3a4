package store

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities/match"
)

// nameIndex is a candidate index over the names of some owner rows
// (screening-list entries, entities): it narrows a name search to the few
// owners whose names resemble the query, for match.Compare to rank.
//
// Its tables: names, one row per name with the owner column and
// search_text = match.SearchText(name), under a pg_trgm GIN index on
// PostgreSQL (CREATE INDEX … USING gin (search_text gin_trgm_ops)); and on
// SQLite keys, one row per distinct match.Keys key of an owner's names:
// (key TEXT, owner INTEGER, PRIMARY KEY (key, owner)) WITHOUT ROWID, plus an
// index on owner. See migrations 00012_screening.sql.
//
// The index holds the owners added and not dropped, so a search needs no
// further filter. To use it: write each name with its search_text, call add
// with the owner's names in the same transaction, drop owners that leave
// the search (it keeps their names), and call candidates to search.
type nameIndex struct {
	names string // table of names: columns <owner>, search_text
	keys  string // SQLite key table: columns key, <owner>
	owner string // the column naming a name's owner in both tables
}

// Candidate narrowing thresholds: PostgreSQL's pg_trgm operators use their
// defaults (similarity ≥ 0.3 for %, word similarity ≥ 0.6 for <%); SQLite
// asks for this share of the query's keys.
const minSharedKeys = 0.3

// keyBatch bounds the rows of one INSERT (SQLite allows 32766 variables).
const keyBatch = 500

// add indexes the names of owner: key rows on SQLite; nothing on
// PostgreSQL, where the trigram index on search_text does it.
func (ix nameIndex) add(tx *gorm.DB, d database.Dialect, owner int64, names []string) error {
	if d != database.SQLite {
		return nil
	}
	seen := map[string]bool{}
	var keys []string
	for _, n := range names {
		for _, k := range match.Keys(n) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), keyBatch)]
		keys = keys[len(batch):]
		args := make([]any, 0, 2*len(batch))
		for _, k := range batch {
			args = append(args, k, owner)
		}
		q := fmt.Sprintf("INSERT INTO %s (key, %s) VALUES %s", ix.keys, ix.owner,
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(batch)), ", "))
		if err := tx.Exec(q, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// drop takes the owners that scope selects (a SELECT of owner ids) out of
// the index and keeps their names: SQLite deletes their keys, PostgreSQL
// empties their search_text, which has no trigrams.
func (ix nameIndex) drop(tx *gorm.DB, d database.Dialect, scope string, args ...any) error {
	var q string
	if d == database.SQLite {
		q = fmt.Sprintf("DELETE FROM %s WHERE %s IN (%s)", ix.keys, ix.owner, scope)
	} else {
		q = fmt.Sprintf("UPDATE %s SET search_text = '' WHERE %s IN (%s) AND search_text <> ''", ix.names, ix.owner, scope)
	}
	return tx.Exec(q, args...).Error
}

// candidates returns up to limit owners whose names resemble name most,
// best first: by the trigram similarity of search_text to the name's search
// texts (match.SearchTexts: its other romanizations too) on PostgreSQL, by
// the number of shared keys, at least match.KeysNeeded, on SQLite.
func (ix nameIndex) candidates(db *gorm.DB, d database.Dialect, name string, limit int) ([]int64, error) {
	var q string
	var args []any
	if d == database.SQLite {
		keys := match.Keys(name)
		if len(keys) == 0 {
			return nil, nil
		}
		// A name in Chinese characters has keys for its Cantonese,
		// Wade-Giles and southern spellings too; a name spelt in one
		// of them shares the keys of that spelling only.
		need := match.KeysNeeded(name, minSharedKeys)
		q = fmt.Sprintf("SELECT %[2]s FROM %[1]s WHERE key IN ? GROUP BY %[2]s HAVING COUNT(*) >= ? "+
			"ORDER BY COUNT(*) DESC, %[2]s LIMIT ?", ix.keys, ix.owner)
		args = []any{keys, need, limit}
	} else {
		// The name as written, and for Chinese characters also in its
		// other romanizations (match.SearchTexts).
		texts := match.SearchTexts(name)
		if texts[0] == "" {
			return nil, nil
		}
		var where, sim []string
		for _, text := range texts {
			where = append(where, "search_text % ? OR ? <% search_text")
			sim = append(sim, "similarity(search_text, ?), word_similarity(?, search_text)")
			args = append(args, text, text)
		}
		for _, text := range texts {
			args = append(args, text, text)
		}
		q = fmt.Sprintf("SELECT %[2]s FROM %[1]s WHERE %[3]s GROUP BY %[2]s ORDER BY max(greatest(%[4]s)) DESC, %[2]s LIMIT ?",
			ix.names, ix.owner, strings.Join(where, " OR "), strings.Join(sim, ", "))
		args = append(args, limit)
	}
	var owners []int64
	if err := db.Raw(q, args...).Scan(&owners).Error; err != nil {
		return nil, err
	}
	return owners, nil
}
