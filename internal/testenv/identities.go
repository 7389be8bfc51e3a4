package testenv

import (
	"testing"
	"time"
)

// WaitIdentitiesAhead waits until ready reports want identities made ahead
// (intake.Service's IdentitiesReady and IdentitiesAhead), so that a
// benchmark's next tip comes to a node that is not busy deriving them. It
// fails tb after a minute: a bound against a hanging benchmark, not a
// measured time.
func WaitIdentitiesAhead(tb testing.TB, ready func() int, want int) {
	tb.Helper()
	for deadline := time.Now().Add(time.Minute); ready() < want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("%d identities made ahead, want %d", ready(), want)
		}
	}
}
