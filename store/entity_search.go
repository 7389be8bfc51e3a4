package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities"
)

// deskIDs returns the ids of desks by slug; nil for nil (all desks).
func deskIDs(db *gorm.DB, slugs []string) ([]int64, error) {
	if slugs == nil {
		return nil, nil
	}
	ids := []int64{0} // no desk has id 0: no desks means nothing (IN () is not SQL)
	var found []int64
	if len(slugs) > 0 {
		if err := db.Table("desks").Where("slug IN ?", slugs).Pluck("id", &found).Error; err != nil {
			return nil, translate(err, "Desk")
		}
	}
	return append(ids, found...), nil
}

// Candidate search bounds. A key held by keyCommon names or more (counted
// up to there) is too common to look up; the rarest keys are looked up
// until keyBudget postings.
const (
	keyCommon = 500
	keyBudget = 8000
	// trigramThreshold is the pg_trgm similarity a name needs to be a
	// candidate by resemblance alone; names that share rarer keys are
	// found by them.
	trigramThreshold = 0.6
	// overFetch is how many names per candidate asked for a lookup of
	// names reads, before leaving out other desks' and kinds.
	overFetch = 5
)

// EntityCandidates implements entities.Store. Candidates come from cheap
// lookups, each bounded whatever the size of the index: identifiers equal
// to the query once normalized; names with the query's strong words
// (match.SearchText); names sharing the query's rarest candidate keys,
// most shared first; and on PostgreSQL, when those keys leave names out
// and too few candidates were found, the names most similar by pg_trgm.
func (s *Store) EntityCandidates(ctx context.Context, q entities.Candidates) ([]entities.Entity, error) {
	db := s.db.WithContext(ctx)
	desks, err := deskIDs(db, q.Desks)
	if err != nil {
		return nil, err
	}
	scope := func(d *gorm.DB) *gorm.DB {
		d = d.Where("entities.merged_into IS NULL")
		if desks != nil {
			d = d.Where("entities.desk_id IN ?", desks)
		}
		if q.Kind != "" {
			d = d.Where("entities.kind = ?", string(q.Kind))
		}
		return d
	}
	// ids are the candidates, at most q.Limit, best sources first.
	var ids []string
	add := func(found ...string) {
		for _, id := range found {
			if len(ids) < q.Limit && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if q.Norm != "" {
		var byID []string
		err := scope(db.Table("entity_identifiers").Joins("JOIN entities ON entities.id = entity_identifiers.entity_id")).
			Where("entity_identifiers.norm_value = ?", q.Norm).Distinct().Order("entity_identifiers.entity_id").
			Limit(q.Limit).Pluck("entity_identifiers.entity_id", &byID).Error
		if err != nil {
			return nil, translate(err, "Entity")
		}
		add(byID...)
	}
	if q.Text != "" && len(ids) < q.Limit {
		// The names first, then their entities: the planner would
		// otherwise scan every entity to join them.
		names := db.Table("entity_names").Select("entity_id").Where("search_text = ?", q.Text).Order("entity_id").Limit(q.Limit * overFetch)
		var same []string
		err := scope(db.Table("(?) n", names).Joins("JOIN entities ON entities.id = n.entity_id")).
			Distinct().Order("n.entity_id").Limit(q.Limit).Pluck("n.entity_id", &same).Error
		if err != nil {
			return nil, translate(err, "Entity")
		}
		add(same...)
	}
	if len(ids) == q.Limit {
		return s.loadEntities(db, ids)
	}
	probe, complete, err := rareKeys(db, q.Keys)
	if err != nil {
		return nil, err
	}
	// A name as similar as trigramThreshold shares most of the query's
	// keys: the keys find it unless some were too common to look up, and
	// then resemblance is the better evidence than a few rare keys shared.
	if q.Text != "" && !complete && len(ids) < q.Limit && s.db.Dialect == database.Postgres {
		var sim []struct {
			EntityID string
			Sim      float64
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			// % compares with this threshold; SET LOCAL ends with the
			// transaction.
			if err := tx.Exec(fmt.Sprintf("SET LOCAL pg_trgm.similarity_threshold = %g", trigramThreshold)).Error; err != nil {
				return err
			}
			names := tx.Table("entity_names").Select("entity_id, similarity(search_text, ?) AS sim", q.Text).
				Where("search_text % ?", q.Text).Order("sim DESC, entity_id").Limit(q.Limit * overFetch)
			return scope(tx.Table("(?) n", names).Joins("JOIN entities ON entities.id = n.entity_id")).
				Select("n.entity_id, MAX(n.sim) AS sim").
				Group("n.entity_id").Order("sim DESC, n.entity_id").Limit(q.Limit).Scan(&sim).Error
		})
		if err != nil {
			return nil, translate(err, "Entity")
		}
		for _, r := range sim {
			add(r.EntityID)
		}
	}
	if len(probe) > 0 && len(ids) < q.Limit {
		k := db.Table("entity_keys").Select("entity_keys.entity_id, COUNT(*) AS hits").Where("entity_keys.key IN ?", probe)
		if desks != nil {
			k = k.Where("entity_keys.desk_id IN ?", desks)
		}
		if q.Kind != "" {
			k = k.Joins("JOIN entities ON entities.id = entity_keys.entity_id").Where("entities.kind = ?", string(q.Kind))
		}
		var hits []struct {
			EntityID string
			Hits     int
		}
		if err := k.Group("entity_keys.entity_id").Order("hits DESC, entity_keys.entity_id").Limit(q.Limit).Scan(&hits).Error; err != nil {
			return nil, translate(err, "Entity")
		}
		for _, h := range hits {
			add(h.EntityID)
		}
	}
	return s.loadEntities(db, ids)
}

// rareKeys returns the keys to look candidates up by: the rarest of keys,
// as many as a name sharing minSharedKeys of them must share at least one
// of (prefix filtering), leaving out keys held by keyCommon names or more
// and stopping before keyBudget postings. complete says that they are as
// many: every name sharing that share of keys holds one of them.
func rareKeys(db *gorm.DB, keys []string) (probe []string, complete bool, err error) {
	if len(keys) == 0 {
		return nil, false, nil
	}
	// How many names hold each key, counted up to keyCommon.
	args := []any{keyCommon}
	for _, k := range keys {
		args = append(args, k)
	}
	var freq []struct {
		Key string
		N   int
	}
	q := "SELECT k.column1 AS key, (SELECT COUNT(*) FROM (SELECT 1 FROM entity_keys e WHERE e.key = k.column1 LIMIT ?) x) AS n " +
		"FROM (VALUES " + strings.TrimSuffix(strings.Repeat("(?), ", len(keys)), ", ") + ") k"
	if err := db.Raw(q, args...).Scan(&freq).Error; err != nil {
		return nil, false, translate(err, "Entity key")
	}
	slices.SortFunc(freq, func(a, b struct {
		Key string
		N   int
	}) int {
		return cmp.Or(cmp.Compare(a.N, b.N), cmp.Compare(a.Key, b.Key))
	})
	need := len(keys) - int(math.Ceil(float64(len(keys))*minSharedKeys)) + 1
	total := 0
	for _, f := range freq {
		if len(probe) == need || f.N >= keyCommon || total+f.N > keyBudget {
			break
		}
		probe = append(probe, f.Key)
		total += f.N
	}
	return probe, len(probe) == need, nil
}

// ListEntities implements entities.Store.
func (s *Store) ListEntities(ctx context.Context, q entities.Listing) ([]entities.Entity, error) {
	db := s.db.WithContext(ctx)
	desks, err := deskIDs(db, q.Desks)
	if err != nil {
		return nil, err
	}
	d := db.Table("entities").Where("merged_into IS NULL")
	if desks != nil {
		d = d.Where("desk_id IN ?", desks)
	}
	if q.Kind != "" {
		d = d.Where("kind = ?", string(q.Kind))
	}
	var ids []string
	if err := d.Order("updated_at DESC, id").Limit(q.Limit).Pluck("id", &ids).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	return s.loadEntities(db, ids)
}
