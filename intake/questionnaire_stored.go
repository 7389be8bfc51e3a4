package intake

import (
	"context"
	"sync"
	"time"
)

// QuestionnaireStore keeps the questionnaires admins upload for desks.
type QuestionnaireStore interface {
	// DeskQuestionnaires returns every uploaded questionnaire by desk slug.
	DeskQuestionnaires(ctx context.Context) (map[string][]byte, error)
}

// StoredQuestionnaires gives each desk the questionnaire an admin uploaded
// for it, and Fallback's (the embedded one or a TIPLINE_QUESTIONNAIRE_DIR
// file) for desks without one. Uploads are read again at most every
// CacheFor, so a running server and other app nodes use a new one within
// that time; while the store cannot be read, what was read last is used.
type StoredQuestionnaires struct {
	Store    QuestionnaireStore
	Fallback func(deskSlug string) *Questionnaire
	CacheFor time.Duration
	Now      func() time.Time

	mu       sync.Mutex
	uploaded map[string]*Questionnaire
	until    time.Time
}

// readTimeout bounds one read of the uploaded questionnaires.
const readTimeout = 5 * time.Second

// For returns the questionnaire of a desk; it fits intake.Service.Questionnaires.
func (s *StoredQuestionnaires) For(deskSlug string) *Questionnaire {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.Now(); s.uploaded == nil || !now.Before(s.until) {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defs, err := s.Store.DeskQuestionnaires(ctx)
		cancel()
		if err == nil {
			uploaded := make(map[string]*Questionnaire, len(defs))
			for slug, def := range defs {
				if q, err := ParseQuestionnaire(def); err == nil { // checked when uploaded
					uploaded[slug] = q
				}
			}
			s.uploaded, s.until = uploaded, now.Add(s.CacheFor)
		}
	}
	if q, ok := s.uploaded[deskSlug]; ok {
		return q
	}
	return s.Fallback(deskSlug)
}
