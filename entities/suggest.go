package entities

import (
	"context"
	"slices"
	"strings"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// MaxParties bounds the parties of one suggestions request.
const MaxParties = 50

// Party is one row of a questionnaire's party field as the investigator's
// browser decrypted it (intake.PartyAnswer): the source's words.
type Party struct {
	Name    string `json:"name"`
	Role    string `json:"role,omitempty"`    // a party role of the questionnaire
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2 when the source's entry matched one
}

// Suggestion is what the entities and the screening lists hold about one
// party.
type Suggestion struct {
	Party     Party           `json:"party"`
	Role      Role            `json:"role"`      // the role to link with: the party's, or other
	Entities  []Match         `json:"entities"`  // entities of the submission's desk, best first
	Screening []ScreeningFlag `json:"screening"` // listed parties the name matches, best first
	Linked    []string        `json:"linked"`    // ids of entities already linked to the submission
}

// Suggest matches the parties of a decrypted submission against the
// entities of its desk and the screening lists. Only investigators of the
// submission's desk ask, and nothing of the parties is stored or logged:
// the server keeps only the links the investigator then confirms. The
// audit log records that a match was asked, on the submission.
func (s *Service) Suggest(ctx context.Context, p casework.Principal, submissionID string, parties []Party) ([]Suggestion, error) {
	out, err := s.suggest(ctx, p, submissionID, parties)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, ActionSuggest, submissionTarget(submissionID)); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) suggest(ctx context.Context, p casework.Principal, submissionID string, parties []Party) ([]Suggestion, error) {
	desk, err := s.submissionDesk(ctx, p, submissionID)
	if err != nil {
		return nil, err
	}
	if p.Role != casework.RoleInvestigator {
		return nil, tipline.Errorf(tipline.Forbidden, "Only investigators of the submission's desk match its parties.")
	}
	if len(parties) > MaxParties {
		return nil, tipline.Errorf(tipline.Invalid, "At most %d parties.", MaxParties)
	}
	links, err := s.Store.SubmissionEntityLinks(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	out := []Suggestion{}
	for _, party := range parties {
		name, err := checkName(party.Name, "A party's name")
		if err != nil {
			return nil, err
		}
		party.Name = name
		sg := Suggestion{Party: party, Role: OtherRole, Linked: []string{}, Screening: []ScreeningFlag{}}
		if slices.Contains(Roles, Role(party.Role)) {
			sg.Role = Role(party.Role)
		}
		if sg.Entities, err = s.match(ctx, []string{desk}, "", name, 5); err != nil {
			return nil, err
		}
		country := strings.ToUpper(party.Country)
		for i, m := range sg.Entities {
			if country != "" && slices.Contains(m.Entity.Countries, country) {
				sg.Entities[i].Explanation = append(m.Explanation, "country "+country+" is also the entity's")
			}
			for _, l := range links {
				if l.Entity == m.Entity.ID && !slices.Contains(sg.Linked, l.Entity) {
					sg.Linked = append(sg.Linked, l.Entity)
				}
			}
		}
		if s.Screener != nil {
			hits, err := s.Screener.Screen(ctx, name)
			if err != nil {
				return nil, err
			}
			for i := range hits {
				hits[i].EntityName, hits[i].CheckedAt = name, s.Now().UTC()
			}
			sg.Screening = hits
		}
		out = append(out, sg)
	}
	return out, nil
}
