package entities

import (
	"context"

	"github.com/tipline/tipline/screening"
)

// DefaultFlagScore is the lowest screening score that flags an entity:
// higher than a search's minimum, since a flag stays on the entity.
const DefaultFlagScore = 0.8

// Lists is a Screener on the imported screening lists.
type Lists struct {
	Service  *screening.Service
	MinScore float64 // DefaultFlagScore when 0
}

// maxFlags bounds the listed parties one name is flagged with.
const maxFlags = 10

// Screen implements Screener.
func (l Lists) Screen(ctx context.Context, name string) ([]ScreeningFlag, error) {
	hits, err := l.Service.Search(ctx, name, maxFlags)
	if err != nil {
		return nil, err
	}
	min := l.MinScore
	if min == 0 {
		min = DefaultFlagScore
	}
	flags := []ScreeningFlag{}
	for _, h := range hits {
		if h.Score >= min {
			flags = append(flags, ScreeningFlag{List: h.List, EntryID: h.EntryID, ListedName: h.ListedName,
				MatchedName: h.MatchedName, Score: h.Score, Explanation: h.Explanation})
		}
	}
	return flags, nil
}
