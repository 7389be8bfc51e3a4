package casework

import (
	"slices"
	"testing"
)

func TestReceivedDeadlines(t *testing.T) {
	tests := []struct {
		received, ack, feedback string
	}{
		{"2026-11-28", "2026-12-05", "2027-03-05"},
		{"2026-01-24", "2026-01-31", "2026-04-30"}, // Jan 31 + 3 months: the last day of April
		{"2028-02-22", "2028-02-29", "2028-05-29"}, // leap year
	}
	for _, tt := range tests {
		got, err := DefaultPolicy.ReceivedDeadlines(tt.received)
		if err != nil {
			t.Fatal(err)
		}
		want := []Deadline{{Kind: DeadlineAcknowledge, DueDay: tt.ack}, {Kind: DeadlineFeedback, DueDay: tt.feedback}}
		if !slices.Equal(got, want) {
			t.Errorf("ReceivedDeadlines(%s) = %v, want %v", tt.received, got, want)
		}
	}
	if _, err := DefaultPolicy.ReceivedDeadlines("28.11.2026"); err == nil {
		t.Error("a bad day was accepted")
	}
	if due, _ := DefaultPolicy.FeedbackDue("2026-11-30"); due != "2027-02-28" {
		t.Errorf("FeedbackDue = %s", due)
	}
}

func TestDeadlineOverdue(t *testing.T) {
	d := Deadline{Kind: DeadlineAcknowledge, DueDay: "2026-12-05"}
	if d.Overdue("2026-12-05") || !d.Overdue("2026-12-06") {
		t.Error("due day itself is not overdue; the day after is")
	}
	d.MetDay = "2026-12-04"
	if d.Overdue("2027-01-01") {
		t.Error("a met deadline is never overdue")
	}
}

func TestChangeCheck(t *testing.T) {
	st := func(s Status) *Status { return &s }
	cc := func(c ClosingCode) *ClosingCode { return &c }
	prio := func(p int) *int { return &p }
	labels := func(l ...string) *[]string { return &l }
	tests := []struct {
		name     string
		current  Status
		code     ClosingCode
		change   Change
		wantCode ClosingCode
		wantErr  bool
	}{
		{"Acknowledge", New, "", Change{Status: st(Acknowledged)}, "", false},
		{"CloseWithCode", UnderReview, "", Change{Status: st(Closed), ClosingCode: cc("duplicate")}, "duplicate", false},
		{"ErrCloseWithoutCode", UnderReview, "", Change{Status: st(Closed)}, "", true},
		{"ErrCodeWithoutClosing", UnderReview, "", Change{ClosingCode: cc("resolved")}, "", true},
		{"ErrUnknownCode", UnderReview, "", Change{Status: st(Closed), ClosingCode: cc("bored")}, "", true},
		{"ReopenDropsCode", Closed, "resolved", Change{Status: st(UnderReview)}, "", false},
		{"ErrBackToNew", Acknowledged, "", Change{Status: st(New)}, "", true},
		{"ErrUnknownStatus", New, "", Change{Status: st("lost")}, "", true},
		{"Priority", New, "", Change{Priority: prio(3)}, "", false},
		{"ErrPriority", New, "", Change{Priority: prio(4)}, "", true},
		{"Labels", New, "", Change{Labels: labels("h100", "shell-company")}, "", false},
		{"ErrLabel", New, "", Change{Labels: labels("Not OK")}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := tt.change.Check(tt.current, tt.code)
			if (err != nil) != tt.wantErr || code != tt.wantCode {
				t.Errorf("Check = %q, %v; want %q, error %v", code, err, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestMeetsDeadlines(t *testing.T) {
	if got := MeetsDeadlines(Acknowledged); !slices.Equal(got, []string{DeadlineAcknowledge}) {
		t.Errorf("acknowledged meets %v", got)
	}
	if got := MeetsDeadlines(NeedsInformation); !slices.Contains(got, DeadlineFeedback) {
		t.Errorf("asking the source for information is feedback: %v", got)
	}
	if MeetsDeadlines(New) != nil {
		t.Error("new meets nothing")
	}
}
