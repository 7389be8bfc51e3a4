package intake

import "testing"

// SetDerivationHook makes f run in each codename derivation slot, before
// the derivation, with the number of derivations running, until the test
// ends.
func SetDerivationHook(tb testing.TB, f func(running int)) {
	tb.Helper()
	derivationHook = f
	tb.Cleanup(func() { derivationHook = nil })
}

// DerivationsWaiting returns how many codename derivations wait for a
// slot.
func (s *Service) DerivationsWaiting() int { return s.slots().waitingLine() }

// ChunkWaits reports whether a chunk of upload session id waits for the
// one before it (PutChunk).
func (s *Service) ChunkWaits(id string) bool {
	s.arrivals.mu.Lock()
	defer s.arrivals.mu.Unlock()
	_, ok := s.arrivals.waiting[id]
	return ok
}
