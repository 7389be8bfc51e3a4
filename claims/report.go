package claims

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/quitam"
)

// Report is everything counsel's award report shows for one claim: data,
// which package server draws as a page, a chart and a printable document.
type Report struct {
	Claim    Claim
	Claimant string // the pseudonym unless counsel chose to show the legal name
	Program  awards.Program
	Actions  []Action
	Verdict  Verdict
	History  []Estimate
	Timeline []Point // each day the ledger changed, then today: the chart's data
	// Collections are the award under the collection scenarios: what is
	// collected today, half and all of what was ordered.
	Collections []CollectionScenario
	Incomplete  bool // as Verdict.Incomplete
	// QuiTam are the claim's qui tam matters that the reader may see
	// (quitam.Matter.VisibleTo): admins and the claim's counsel.
	QuiTam    []quitam.Matter
	Generated time.Time
}

// Report assembles a claim's award report for p and audits the view.
func (s *Service) Report(ctx context.Context, p casework.Principal, id string) (Report, error) {
	r, err := s.report(ctx, p, id)
	if err != nil {
		return Report{}, err
	}
	if err := s.audit(ctx, p, AuditClaimReport, claimTarget(r.Claim.ID)); err != nil {
		return Report{}, err
	}
	return r, nil
}

// Printer prints an award report as a document, such as a PDF.
type Printer interface {
	// Print returns the document of r.
	Print(ctx context.Context, r Report) ([]byte, error)
}

// ExportReport assembles a claim's award report for p, prints it with pr
// and audits the export; it returns the document and the report it shows.
// A report that does not print is not audited, and nothing is handed out
// when the audit entry cannot be written.
func (s *Service) ExportReport(ctx context.Context, p casework.Principal, id string, pr Printer) ([]byte, Report, error) {
	r, err := s.report(ctx, p, id)
	if err != nil {
		return nil, Report{}, err
	}
	doc, err := pr.Print(ctx, r)
	if err != nil {
		return nil, Report{}, err
	}
	if err := s.audit(ctx, p, AuditClaimReportPDF, claimTarget(r.Claim.ID)); err != nil {
		return nil, Report{}, err
	}
	return doc, r, nil
}

// report assembles a claim's award report for p.
func (s *Service) report(ctx context.Context, p casework.Principal, id string) (Report, error) {
	c, err := s.claim(ctx, p, id)
	if err != nil {
		return Report{}, err
	}
	prog, err := awards.ProgramByID(c.Program)
	if err != nil {
		return Report{}, err
	}
	actions, err := s.claimActions(ctx, c)
	if err != nil {
		return Report{}, err
	}
	v, err := Evaluate(c, actions, "", s.today())
	if err != nil {
		return Report{}, err
	}
	history, err := s.Store.Estimates(ctx, id)
	if err != nil {
		return Report{}, err
	}
	points, err := Timeline(c, actions, s.today())
	if err != nil {
		return Report{}, err
	}
	// The chart runs on to today: the state holds until the next change.
	if today := s.today(); len(points) > 0 && points[len(points)-1].Day < today {
		last := points[len(points)-1]
		last.Day = today
		points = append(points, last)
	}
	scenarios, err := CollectionScenarios(c, actions, s.today())
	if err != nil {
		return Report{}, err
	}
	matters, err := s.claimMatters(ctx, p, c.ID)
	if err != nil {
		return Report{}, err
	}
	return Report{Claim: c, Claimant: c.Claimant(), Program: prog, Actions: actions, Verdict: v, History: history,
		Timeline: points, Collections: scenarios, Incomplete: v.Incomplete, QuiTam: matters, Generated: s.now()}, nil
}

// claimMatters returns the qui tam matters of a claim that p may see.
func (s *Service) claimMatters(ctx context.Context, p casework.Principal, claimID string) ([]quitam.Matter, error) {
	ms, err := s.Store.ClaimMatters(ctx, claimID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m quitam.Matter) bool { return !m.VisibleTo(p) }), nil
}

// ProgramTotal sums a program's claims for the dashboard.
type ProgramTotal struct {
	Program                    awards.Program
	Claims                     int
	Ordered, Collected         awards.Cents // over the distinct actions of the claims
	Min, Max                   awards.Cents // award ranges on amounts collected
	ProjectedMin, ProjectedMax awards.Cents // if everything ordered were collected
}

// StatusCount counts claims in one status.
type StatusCount struct {
	Status Status
	Count  int
}

// UpcomingDeadline is a deadline on the dashboard: an award claim's, or
// a qui tam matter's (MatterID and Caption set), named in words.
type UpcomingDeadline struct {
	ClaimID, Claimant, Program string
	MatterID, Caption          string
	Deadline                   awards.Deadline
	Overdue                    bool
}

// matterDeadlines are the open deadlines of a qui tam matter for the
// dashboard: one met by an event (an extension, the election, the filing,
// the retaliation action) is done and left out, as on the qui tam pages.
func matterDeadlines(c Claim, m quitam.Matter, today string) []UpcomingDeadline {
	var out []UpcomingDeadline
	for _, d := range m.Deadlines() {
		_, rule, _ := d.Kind.QuiTam()
		name, named := quitam.RuleName(rule)
		cite, cited := quitam.RuleCitation(rule)
		due, err := time.Parse(time.DateOnly, d.DueDay)
		if d.MetDay != "" || !named || !cited || err != nil {
			continue
		}
		out = append(out, UpcomingDeadline{ClaimID: c.ID, Claimant: c.Claimant(), Program: c.Program, MatterID: m.ID, Caption: m.Caption,
			Deadline: awards.Deadline{ID: rule, Name: name, Due: due, Citation: cite.Ref, Status: awards.Checked(cite.Status)}, Overdue: d.Overdue(today)})
	}
	return out
}

// Dashboard is the awards overview of the claims p may see.
type Dashboard struct {
	Programs   []ProgramTotal
	Statuses   []StatusCount
	Deadlines  []UpcomingDeadline
	MoneyBars  BarChart // sanctions ordered and collected, per program
	AwardBars  BarChart // award maxima, collected and projected, per program
	StatusBars BarChart // claims by status
}

// Dashboard sums the claims p may see: sanctions ordered against collected
// and award ranges per program, claims by status, and the deadlines of the
// open claims and the open deadlines of the qui tam matters p may see,
// soonest first. The view is audited.
func (s *Service) Dashboard(ctx context.Context, p casework.Principal) (Dashboard, error) {
	d, err := s.dashboard(ctx, p)
	if err != nil {
		return Dashboard{}, err
	}
	if err := s.audit(ctx, p, AuditDashboard, claimsTarget); err != nil {
		return Dashboard{}, err
	}
	return d, nil
}

// dashboard sums the claims p may see.
func (s *Service) dashboard(ctx context.Context, p casework.Principal) (Dashboard, error) {
	list, err := s.listClaims(ctx, p, "")
	if err != nil {
		return Dashboard{}, err
	}
	var d Dashboard
	totals := map[string]*ProgramTotal{}
	seen := map[string]map[string]bool{}
	counts := map[Status]int{}
	today := s.today()
	for _, c := range list {
		counts[c.Status]++
		actions, err := s.claimActions(ctx, c)
		if err != nil {
			return Dashboard{}, err
		}
		v, err := Evaluate(c, actions, "", s.today())
		if err != nil {
			return Dashboard{}, err
		}
		t, ok := totals[c.Program]
		if !ok {
			prog, err := awards.ProgramByID(c.Program)
			if err != nil {
				return Dashboard{}, err
			}
			t = &ProgramTotal{Program: prog}
			totals[c.Program], seen[c.Program] = t, map[string]bool{}
		}
		t.Claims++
		for _, a := range actions {
			if !seen[c.Program][a.ID] {
				seen[c.Program][a.ID] = true
				t.Ordered += a.Ordered()
				t.Collected += a.Collected("")
			}
		}
		if c.Status != Withdrawn && c.Status != Denied {
			t.Min += v.Result.Min
			t.Max += v.Result.Max
			t.ProjectedMin += v.Result.Projected.Min
			t.ProjectedMax += v.Result.Projected.Max
		}
		if !c.Status.Closed() {
			for _, dl := range v.Result.Deadlines {
				due := dl.Due.UTC().Format(time.DateOnly)
				d.Deadlines = append(d.Deadlines, UpcomingDeadline{ClaimID: c.ID, Claimant: c.Claimant(), Program: c.Program, Deadline: dl, Overdue: due < today})
			}
		}
		matters, err := s.claimMatters(ctx, p, c.ID)
		if err != nil {
			return Dashboard{}, err
		}
		for _, m := range matters {
			d.Deadlines = append(d.Deadlines, matterDeadlines(c, m, today)...)
		}
	}
	for _, t := range totals {
		d.Programs = append(d.Programs, *t)
	}
	slices.SortFunc(d.Programs, func(a, b ProgramTotal) int { return strings.Compare(a.Program.ID, b.Program.ID) })
	for _, st := range Statuses {
		if counts[st] > 0 {
			d.Statuses = append(d.Statuses, StatusCount{Status: st, Count: counts[st]})
		}
	}
	slices.SortStableFunc(d.Deadlines, func(a, b UpcomingDeadline) int { return a.Deadline.Due.Compare(b.Deadline.Due) })
	d.MoneyBars = BarChart{Title: "Sanctions ordered and collected per program"}
	d.AwardBars = BarChart{Title: "Awards projected per program"}
	d.StatusBars = BarChart{Title: "Claims by status", Count: true}
	for _, t := range d.Programs {
		d.MoneyBars.Groups = append(d.MoneyBars.Groups, BarGroup{Label: t.Program.Name, Bars: []Bar{
			{Label: "ordered", Series: SeriesOrdered, Value: int64(t.Ordered)},
			{Label: "collected", Series: SeriesCollected, Value: int64(t.Collected)},
		}})
		d.AwardBars.Groups = append(d.AwardBars.Groups, BarGroup{Label: t.Program.Name, Bars: []Bar{
			{Label: "award max, collected", Series: SeriesAwardMax, Value: int64(t.Max)},
			{Label: "award max, projected", Series: SeriesProjectedMax, Value: int64(t.ProjectedMax)},
		}})
	}
	var bars []Bar
	for _, sc := range d.Statuses {
		bars = append(bars, Bar{Label: string(sc.Status), Series: SeriesClaims, Value: int64(sc.Count)})
	}
	if len(bars) > 0 {
		d.StatusBars.Groups = []BarGroup{{Label: "Claims", Bars: bars}}
	}
	return d, nil
}
