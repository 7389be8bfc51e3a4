package quitam

import (
	"slices"
	"testing"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
)

func TestLimitationsDate(t *testing.T) {
	for _, tc := range []struct {
		name, violation, knowledge string
		due                        string
		usedKnowledge, capped      bool
	}{
		{"six years only", "2020-03-15", "", "2026-03-15", false, false},
		{"knowledge early: six years is later", "2020-03-15", "2021-01-10", "2026-03-15", false, false},
		{"knowledge late: three years is later", "2020-03-15", "2025-06-01", "2028-06-01", true, false},
		{"knowledge three years exactly ties six years", "2020-03-15", "2023-03-15", "2026-03-15", false, false},
		{"capped at ten years", "2016-05-02", "2024-08-20", "2026-05-02", true, true},
		{"three years one day under the cap", "2016-05-02", "2023-05-01", "2026-05-01", true, false},
		{"29 February becomes 28 February", "2020-02-29", "", "2026-02-28", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := LimitationsDate(tc.violation, tc.knowledge)
			if err != nil {
				t.Fatal(err)
			}
			if l.Due != tc.due || l.UsedKnowledge != tc.usedKnowledge || l.Capped != tc.capped {
				t.Errorf("got due %s used knowledge %v capped %v, want %s %v %v\n%v", l.Due, l.UsedKnowledge, l.Capped, tc.due, tc.usedKnowledge, tc.capped, l.Explanation)
			}
			if len(l.Explanation) == 0 {
				t.Error("no explanation")
			}
		})
	}
	if _, err := LimitationsDate("15/03/2020", ""); err == nil {
		t.Error("a day that is no day was accepted")
	}
}

func TestSealAndRetaliation(t *testing.T) {
	for _, tc := range []struct{ filed, served, want string }{
		{"2026-01-05", "", "2026-03-06"},
		{"2026-01-05", "2026-01-20", "2026-03-21"},
		{"2026-01-05", "2026-01-05", "2026-03-06"},
		{"2024-12-31", "", "2025-03-01"},
	} {
		if got, err := SealDue(tc.filed, tc.served); err != nil || got != tc.want {
			t.Errorf("SealDue(%s, %s) = %s, %v; want %s", tc.filed, tc.served, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ retaliation, want string }{
		{"2025-07-01", "2028-07-01"},
		{"2024-02-29", "2027-02-28"},
	} {
		if got, err := RetaliationDue(tc.retaliation); err != nil || got != tc.want {
			t.Errorf("RetaliationDue(%s) = %s, %v; want %s", tc.retaliation, got, err, tc.want)
		}
	}
}

func TestShares(t *testing.T) {
	type band struct {
		name     string
		min, max int
	}
	million := awards.Cents(1_000_000_00)
	for _, tc := range []struct {
		name  string
		facts ShareFacts
		want  []band
	}{
		{"intervened", ShareFacts{Intervention: Intervened}, []band{{"The Government intervenes", 15, 25}}},
		{"intervened, primarily public: at most 10", ShareFacts{Intervention: Intervened, PrimarilyPublic: true}, []band{{"The Government intervenes", 0, 10}}},
		{"declined", ShareFacts{Intervention: Declined}, []band{{"The Government declines", 25, 30}}},
		{"declined, public disclosure, no original source", ShareFacts{Intervention: Declined, PublicDisclosure: true}, []band{{"The Government declines", 0, 30}}},
		{"declined, public disclosure, original source", ShareFacts{Intervention: Declined, PublicDisclosure: true, OriginalSource: true}, []band{{"The Government declines", 25, 30}}},
		// Issue 13, point 3: undecided with a public disclosure is two
		// scenarios, 0–10 % and 0–30 %; never a 15 % floor.
		{"undecided, public disclosure", ShareFacts{Intervention: Undecided, PublicDisclosure: true, PrimarilyPublic: true},
			[]band{{"The Government intervenes", 0, 10}, {"The Government declines", 0, 30}}},
		{"undecided", ShareFacts{Intervention: Undecided}, []band{{"The Government intervenes", 15, 25}, {"The Government declines", 25, 30}}},
		{"planned and initiated", ShareFacts{Intervention: Intervened, PlannedInitiated: true}, []band{{"The Government intervenes", 0, 25}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.facts.FederalCollected = million
			ss := Shares(tc.facts)
			var got []band
			for _, s := range ss {
				got = append(got, band{s.Name, s.MinPct, s.MaxPct})
				if s.Min != percentOf(million, s.MinPct) || s.Max != awards.Cents(s.MaxPct)*1_000_000 {
					t.Errorf("%s: %s – %s of $1M", s.Name, s.Min.USD(), s.Max.USD())
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if lo, hi := Envelope(Shares(ShareFacts{Intervention: Undecided, PublicDisclosure: true, PrimarilyPublic: true})); lo != 0 || hi != 30 {
		t.Errorf("envelope %d–%d, want 0–30", lo, hi)
	}
	if got := percentOf(awards.Cents(999), 15); got != 149 {
		t.Errorf("15 %% of 999 cents = %d, want 149 (rounded down)", got)
	}
}

func TestMatterDeadlines(t *testing.T) {
	kind := func(rule string) casework.DeadlineKind { return casework.QuiTamDeadline("m1", rule) }
	m := Matter{ID: "m1", Facts: Facts{FiledDay: "2026-01-05", ViolationDay: "2021-03-01", KnowledgeDay: "2025-02-01", RetaliationDay: "2025-11-10"},
		Intervention: Undecided}
	base := []casework.Deadline{
		{Kind: kind(RuleSeal), DueDay: "2026-03-06"},
		{Kind: kind(RuleLimitations), DueDay: "2028-02-01", MetDay: "2026-01-05"},
		{Kind: kind(RuleRetaliation), DueDay: "2028-11-10"},
	}
	if got := m.Deadlines(); !slices.Equal(got, base) {
		t.Errorf("after filing:\n got %v\nwant %v", got, base)
	}
	m.Extensions = []Extension{{GrantedDay: "2026-03-02", NewDay: "2026-09-02"}, {GrantedDay: "2026-08-28", NewDay: "2027-03-01"}}
	m.Intervention, m.InterventionDay = Intervened, "2026-12-15"
	want := []casework.Deadline{
		{Kind: kind(RuleSeal), DueDay: "2026-03-06", MetDay: "2026-03-02"},
		{Kind: kind(ExtensionRule(1)), DueDay: "2026-09-02", MetDay: "2026-08-28"},
		{Kind: kind(ExtensionRule(2)), DueDay: "2027-03-01", MetDay: "2026-12-15"},
		base[1], base[2],
	}
	if got := m.Deadlines(); !slices.Equal(got, want) {
		t.Errorf("after two extensions and the election:\n got %v\nwant %v", got, want)
	}
	for _, d := range want {
		_, rule, ok := d.Kind.QuiTam()
		if name, named := RuleName(rule); !ok || !named || name == "" {
			t.Errorf("%s has no name", d.Kind)
		}
	}
}

func TestWarnings(t *testing.T) {
	m := Matter{ID: "m1", Facts: Facts{FirstToFile: true, PublicDisclosure: true, ViolationDay: "2010-01-01"}, Intervention: Undecided}
	ws := m.Warnings("2026-12-06")
	var cites []string
	for _, w := range ws {
		cites = append(cites, w.Cite.Ref)
	}
	want := []string{CiteFirstToFile.Ref, CitePublicBar.Ref, CiteLimitations.Ref}
	if !slices.Equal(cites, want) {
		t.Errorf("warnings cite %v, want %v", cites, want)
	}
}
