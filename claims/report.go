package claims

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/static"
	"github.com/tipline/tipline/templates"
)

// Report is everything counsel's award report shows for one claim.
type Report struct {
	Claim     Claim
	Claimant  string // the pseudonym unless counsel chose to show the legal name
	Program   awards.Program
	Actions   []Action
	Verdict   Verdict
	History   []Estimate
	Timeline  []Point // each day the ledger changed, then today
	Chart     template.HTML
	Generated time.Time
}

// Report assembles a claim's award report for p.
func (s *Service) Report(ctx context.Context, p casework.Principal, id string) (Report, error) {
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
	v, err := Evaluate(c, actions, "")
	if err != nil {
		return Report{}, err
	}
	history, err := s.Store.Estimates(ctx, id)
	if err != nil {
		return Report{}, err
	}
	points, err := Timeline(c, actions)
	if err != nil {
		return Report{}, err
	}
	// The chart runs on to today: the state holds until the next change.
	if today := s.today(); len(points) > 0 && points[len(points)-1].Day < today {
		last := points[len(points)-1]
		last.Day = today
		points = append(points, last)
	}
	return Report{Claim: c, Claimant: c.Claimant(), Program: prog, Actions: actions, Verdict: v, History: history,
		Timeline: points, Chart: TimelineSVG(points), Generated: s.now()}, nil
}

// reportDocument is the template of the printable report: a whole HTML
// document with its styles inline, since Chromium prints it from memory.
var reportDocument = template.Must(template.ParseFS(templates.FS, "casework_claim_report.html", "casework_claim_report_pdf.html"))

// HTML renders the report as a standalone document for printing.
func (r Report) HTML() ([]byte, error) {
	var css bytes.Buffer
	for _, name := range []string{"css/tipline.css", "css/casework.css"} {
		b, err := fs.ReadFile(static.FS, name)
		if err != nil {
			return nil, fmt.Errorf("claims: report styles: %w", err)
		}
		css.Write(b)
		css.WriteByte('\n')
	}
	var out bytes.Buffer
	err := reportDocument.ExecuteTemplate(&out, "document", struct {
		Report Report
		CSS    template.CSS
	}{r, template.CSS(css.String())})
	if err != nil {
		return nil, fmt.Errorf("claims: render report: %w", err)
	}
	return out.Bytes(), nil
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

// UpcomingDeadline is a claim's deadline on the dashboard.
type UpcomingDeadline struct {
	ClaimID, Claimant, Program string
	Deadline                   awards.Deadline
	Overdue                    bool
}

// Dashboard is the awards overview of the claims p may see.
type Dashboard struct {
	Programs    []ProgramTotal
	Statuses    []StatusCount
	Deadlines   []UpcomingDeadline
	MoneyChart  template.HTML
	AwardChart  template.HTML
	StatusChart template.HTML
}

// Dashboard sums the claims p may see: sanctions ordered against collected
// and award ranges per program, claims by status, and the deadlines of the
// open claims, soonest first.
func (s *Service) Dashboard(ctx context.Context, p casework.Principal) (Dashboard, error) {
	list, err := s.ListClaims(ctx, p, "")
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
		v, err := Evaluate(c, actions, "")
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
	slices.SortFunc(d.Deadlines, func(a, b UpcomingDeadline) int { return a.Deadline.Due.Compare(b.Deadline.Due) })
	var money, award, status []BarGroup
	for _, t := range d.Programs {
		money = append(money, BarGroup{Label: t.Program.Name, Bars: []Bar{
			{Label: "ordered", Amount: int64(t.Ordered), Color: "#9aa198"},
			{Label: "collected", Amount: int64(t.Collected), Color: "#1d3557"},
		}})
		award = append(award, BarGroup{Label: t.Program.Name, Bars: []Bar{
			{Label: "award max, collected", Amount: int64(t.Max), Color: "#2d6a4f"},
			{Label: "award max, projected", Amount: int64(t.ProjectedMax), Color: "#b7d7c2"},
		}})
	}
	var bars []Bar
	for _, sc := range d.Statuses {
		bars = append(bars, Bar{Label: string(sc.Status), Amount: int64(sc.Count), Color: "#457b9d"})
	}
	if len(bars) > 0 {
		status = []BarGroup{{Label: "Claims", Bars: bars}}
	}
	d.MoneyChart = BarsSVG("Sanctions ordered and collected per program", money, false)
	d.AwardChart = BarsSVG("Awards projected per program", award, false)
	d.StatusChart = BarsSVG("Claims by status", status, true)
	return d, nil
}
