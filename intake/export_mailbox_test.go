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
