package entities

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities/match"
)

// MinScore is the lowest match.Compare score a search or a suggestion
// returns.
const MinScore = 0.5

// candidatesPerResult is how many candidates the index returns for each
// result asked for, to be ranked by match.Compare.
const candidatesPerResult = 5

// Query is a search of entities by name.
type Query struct {
	Q     string // a name, alias or identifier; "" lists the latest changed
	Desk  string // "" for every desk the caller sees
	Kind  Kind   // "" for any
	Limit int    // up to MaxPage; 20 when 0
}

// Match is an entity a search found, with its score and why.
type Match struct {
	Entity      Entity   `json:"entity"`
	Score       float64  `json:"score"`        // 0 to 1
	MatchedName string   `json:"matched_name"` // the name, alias or identifier that matched best
	Explanation []string `json:"explanation"`
}

// Search returns the unmerged entities p may see whose names, aliases or
// identifiers match q.Q, best first, each with its score, its explanation
// and its screening flags, and audits the search (not the query).
func (s *Service) Search(ctx context.Context, p casework.Principal, q Query) ([]Match, error) {
	found, err := s.search(ctx, p, q)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, ActionSearch, searchTarget); err != nil {
		return nil, err
	}
	return found, nil
}

// maxCandidates bounds the entities Candidates offers.
const maxCandidates = 10

// Candidates returns up to 10 other unmerged entities of e's desk to
// relate e to or merge it with, best first: those matching find, or when
// find is blank those whose names resemble e's. A search for find is
// audited, on e; the resemblances are part of e's page, whose view View
// audits.
func (s *Service) Candidates(ctx context.Context, p casework.Principal, e Entity, find string) ([]Match, error) {
	q := strings.TrimSpace(find)
	if q == "" {
		q = e.Name
	}
	found, err := s.search(ctx, p, Query{Q: q, Desk: e.Desk, Limit: maxCandidates + 1})
	if err != nil {
		return nil, err
	}
	if find != "" {
		if err := s.audit(ctx, p, ActionSearch, entityTarget(e.ID)); err != nil {
			return nil, err
		}
	}
	out := []Match{}
	for _, m := range found {
		if m.Entity.ID != e.ID && len(out) < maxCandidates {
			out = append(out, m)
		}
	}
	return out, nil
}

// search is Search without the audit.
func (s *Service) search(ctx context.Context, p casework.Principal, q Query) ([]Match, error) {
	desks, err := readDesks(p)
	if err != nil {
		return nil, err
	}
	if q.Desk != "" {
		if desks != nil && !slices.Contains(desks, q.Desk) {
			return []Match{}, nil
		}
		desks = []string{q.Desk}
	}
	if q.Kind != "" && !slices.Contains(Kinds, q.Kind) {
		return nil, tipline.Errorf(tipline.Invalid, "Unknown entity kind %q.", q.Kind)
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	q.Limit = min(q.Limit, MaxPage)
	q.Q = strings.TrimSpace(q.Q)
	if utf8.RuneCountInString(q.Q) > MaxName || !utf8.ValidString(q.Q) {
		return nil, tipline.Errorf(tipline.Invalid, "A query is at most %d characters.", MaxName)
	}
	if q.Q == "" {
		list, err := s.Store.ListEntities(ctx, Listing{Desks: desks, Kind: q.Kind, Limit: q.Limit})
		if err != nil {
			return nil, err
		}
		out := make([]Match, len(list))
		for i, e := range list {
			out[i] = Match{Entity: e, Explanation: []string{}}
		}
		return out, nil
	}
	return s.match(ctx, desks, q.Kind, q.Q, q.Limit)
}

// match ranks the index's candidates for name by match.Compare.
func (s *Service) match(ctx context.Context, desks []string, kind Kind, name string, limit int) ([]Match, error) {
	norm := match.Normalize(name)
	cands, err := s.Store.EntityCandidates(ctx, Candidates{Desks: desks, Kind: kind, Keys: match.Keys(name), Text: match.SearchText(name), Norm: norm, Limit: limit * candidatesPerResult})
	if err != nil {
		return nil, err
	}
	query := match.Parse(name)
	out := []Match{}
	for _, e := range cands {
		best := Match{Entity: e}
		for _, id := range e.Identifiers {
			if norm != "" && match.Normalize(id.Value) == norm {
				best.Score, best.MatchedName = 1, id.Value
				best.Explanation = []string{"identifier " + id.Type + " " + id.Value + " is the query"}
			}
		}
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			sc := query.Compare(match.Parse(n))
			if sc.Value > best.Score {
				best.Score, best.MatchedName, best.Explanation = sc.Value, n, sc.Explanation
			}
		}
		if best.Score >= MinScore {
			if best.Explanation == nil {
				best.Explanation = []string{}
			}
			out = append(out, best)
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Entity.Name, b.Entity.Name))
	})
	return out[:min(len(out), limit)], nil
}
