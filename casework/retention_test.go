package casework

import "testing"

// TestRetentionStateDue: a tip is due on its closing day plus its desk's
// days, not before, never while open, on a desk without policy or while
// anything holds it.
func TestRetentionStateDue(t *testing.T) {
	held := []Hold{{Kind: HoldLegal, SetBy: "root@example.org", SetDay: "2026-12-01"}}
	for _, tc := range []struct {
		name     string
		state    RetentionState
		deleteOn string
		due      bool
	}{
		{"due today", RetentionState{ClosedDay: "2026-11-06", KeepDays: 30}, "2026-12-06", true},
		{"due long ago", RetentionState{ClosedDay: "2025-01-01", KeepDays: 30}, "2025-01-31", true},
		{"due tomorrow", RetentionState{ClosedDay: "2026-11-07", KeepDays: 30}, "2026-12-07", false},
		{"across a leap day", RetentionState{ClosedDay: "2028-02-28", KeepDays: 2}, "2028-03-01", false},
		{"not closed", RetentionState{KeepDays: 30}, "", false},
		{"no policy", RetentionState{ClosedDay: "2020-01-01"}, "", false},
		{"held", RetentionState{ClosedDay: "2020-01-01", KeepDays: 1, Holds: held}, "2020-01-02", false},
	} {
		if got := tc.state.DeleteOn(); got != tc.deleteOn {
			t.Errorf("%s: delete on %q, want %q", tc.name, got, tc.deleteOn)
		}
		if got := tc.state.Due("2026-12-06"); got != tc.due {
			t.Errorf("%s: due %v, want %v", tc.name, got, tc.due)
		}
	}
	if !(RetentionState{Holds: held}).UnderLegalHold() || (RetentionState{Holds: []Hold{{Kind: HoldDeadline, Ref: "feedback"}}}).UnderLegalHold() {
		t.Error("UnderLegalHold does not tell a legal hold from another")
	}
}
