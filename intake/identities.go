package intake

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Identities made ahead. A source's identity (a codename, its lookup key
// and its reply key pair) takes two argon2id derivations to make: about a
// second of one core with crypto.DefaultCodenameParams, the longest step
// of a commit, which the source waits for after the last byte of their
// tip. A node keeps IdentitiesAhead of them made ahead, in memory only, and
// a commit takes one at once; once a submission ends, the node makes the
// next one in the background, its derivations waiting in the ordinary
// line of the derivation slots (behind every commit and every login
// already waiting, see derive). When none is ready a commit makes its own,
// as before.
//
// An identity made ahead is never stored, logged or shown until a commit
// takes it, and a restart loses the ones not taken. Its reply key is dated
// to the day it was made, so one made on an earlier day is thrown away
// rather than used (commitAs replaces it): a tip committed after midnight
// never carries the previous day's date, which would tell that it arrived
// just after midnight. Only identities of words are made ahead; a source
// who chooses digits gets theirs made at commit.

// DefaultIdentitiesAhead is how many identities serve keeps made ahead:
// two tips in a row both get their codenames without a derivation.
const DefaultIdentitiesAhead = 2

// identityPool holds the identities made ahead.
type identityPool struct {
	mu      sync.Mutex
	ready   []sourceIdentity
	filling bool // a goroutine of MakeIdentitiesAhead is at work
}

// identity returns a new source identity: one made ahead when the source
// takes a codename of words and one of today is ready, else one made now.
func (s *Service) identity(ctx context.Context, numeric bool) (sourceIdentity, error) {
	if !numeric {
		if id, ok := s.identities.take(s); ok {
			return id, nil
		}
	}
	return s.newIdentity(ctx, numeric, true)
}

// take returns an identity made ahead today, if one is ready.
func (p *identityPool) take(s *Service) (sourceIdentity, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropStale(s.today())
	if len(p.ready) == 0 {
		return sourceIdentity{}, false
	}
	id := p.ready[0]
	p.ready = slices.Delete(p.ready, 0, 1)
	return id, true
}

// dropStale drops the identities made before today. p.mu is held.
func (p *identityPool) dropStale(today time.Time) {
	p.ready = slices.DeleteFunc(p.ready, func(id sourceIdentity) bool { return !id.day.Equal(today) })
}

// IdentitiesReady returns how many identities made ahead are ready. It
// is for tests and the benchmarks, never for metrics: its dips would time
// each commit to the second.
func (s *Service) IdentitiesReady() int {
	s.identities.mu.Lock()
	defer s.identities.mu.Unlock()
	return len(s.identities.ready)
}

// MakeIdentitiesAhead makes identities in the background until
// IdentitiesAhead are ready, and returns at once. serve calls it at start;
// every commit calls it when it ends. A derivation that fails (the line
// of derivations is full during a flood of logins) ends the round; the
// next commit starts another.
func (s *Service) MakeIdentitiesAhead() {
	p := &s.identities
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropStale(s.today())
	if p.filling || len(p.ready) >= s.IdentitiesAhead {
		return
	}
	p.filling = true
	go func() {
		for {
			id, err := s.newIdentity(context.Background(), false, false)
			p.mu.Lock()
			if err == nil {
				p.ready = append(p.ready, id)
			}
			if err != nil || len(p.ready) >= s.IdentitiesAhead {
				p.filling = false
				p.mu.Unlock()
				return
			}
			p.mu.Unlock()
		}
	}()
}
