package server

import (
	"strconv"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/quitam"
)

// quitamReport is a qui tam matter of the claim in words, for the award
// report: the seal and its extensions, the Government's election, the
// deadlines with their rule, the bars, the 3731(b) date and the relator's
// share of the federal proceeds collected. Every figure names its source.
type quitamReport struct {
	Caption, CaseID string
	Filed, Served   string // days; "" when not recorded
	Seal            string // the last day of the 60-day seal, "" before filing
	SealRef         citeRef
	Extensions      []quitamExtensionRow
	ExtensionRef    citeRef
	SealEnds        string // the current last day of the seal
	Election        string // the Government's election in words, with its day
	Deadlines       []quitamDeadlineRow
	CountingRef     citeRef // Tipline's day counting, unverified
	Limitations     []string
	LimitationsRef  citeRef
	CochiseRef      citeRef
	Warnings        []quitamWarningRow
	Federal, State  string // collected; State "" when none
	Shares          []quitamShareRow
	Envelope        string // the lowest to the highest share over the scenarios
}

type quitamExtensionRow struct {
	N               int
	Granted, NewDay string
}

type quitamDeadlineRow struct {
	What, Due, State string
	Attention        bool // overdue
	Ref              citeRef
}

type quitamWarningRow struct {
	Text string
	Ref  citeRef
}

type quitamShareRow struct {
	Name, Band, Range string
	Notes             []string
	Refs              []citeRef
}

// newQuitamReport puts m in words as of today; cite numbers each source
// among the report's sources.
func newQuitamReport(m quitam.Matter, today string, cite func(quitam.Citation) citeRef) quitamReport {
	q := quitamReport{Caption: m.Caption, CaseID: m.CaseID, Filed: m.FiledDay, Served: m.ServedDay, SealEnds: m.SealEnds(),
		Federal: m.FederalCollected().USD(), CountingRef: cite(quitam.CiteCountingDays)}
	if m.FiledDay != "" {
		q.Seal, _ = quitam.SealDue(m.FiledDay, m.ServedDay)
		q.SealRef = cite(quitam.CiteSeal)
	}
	for i, e := range m.Extensions {
		q.Extensions = append(q.Extensions, quitamExtensionRow{N: i + 1, Granted: e.GrantedDay, NewDay: e.NewDay})
	}
	if len(m.Extensions) > 0 {
		q.ExtensionRef = cite(quitam.CiteExtension)
	}
	q.Election = m.Intervention.Label()
	if m.InterventionDay != "" {
		q.Election += " on " + m.InterventionDay
	}
	q.Election += "."
	for _, d := range m.Deadlines() {
		_, rule, _ := d.Kind.QuiTam()
		name, _ := quitam.RuleName(rule)
		c, _ := quitam.RuleCitation(rule)
		row := quitamDeadlineRow{What: upperFirst(name), Due: d.DueDay, State: "Open", Ref: cite(c)}
		switch {
		case d.MetDay != "":
			row.State = "Met on " + d.MetDay
		case d.Overdue(today):
			row.State, row.Attention = "Overdue", true
		}
		q.Deadlines = append(q.Deadlines, row)
	}
	if l, ok := m.Limitations(); ok {
		q.Limitations, q.LimitationsRef = l.Explanation, cite(quitam.CiteLimitations)
		q.CochiseRef = cite(quitam.CiteCochise)
	}
	for _, w := range m.Warnings(today) {
		q.Warnings = append(q.Warnings, quitamWarningRow{Text: w.Text, Ref: cite(w.Cite)})
	}
	if st := m.StateCollected(); st != 0 {
		q.State = st.USD()
	}
	shares := m.Shares()
	for _, s := range shares {
		row := quitamShareRow{Name: s.Name, Band: percentBand(s.MinPct, s.MaxPct), Range: s.Min.USD() + " to " + s.Max.USD(), Notes: s.Notes}
		for _, c := range s.Cites {
			row.Refs = append(row.Refs, cite(c))
		}
		q.Shares = append(q.Shares, row)
	}
	if len(shares) > 1 {
		q.Envelope = percentBand(quitam.Envelope(shares))
	}
	return q
}

// percentBand says a band of whole percents: "15–25 %".
func percentBand(minPct, maxPct int) string {
	return strconv.Itoa(minPct) + "–" + strconv.Itoa(maxPct) + " %"
}

// quitamCitation is a quitam citation among the report's sources.
func quitamCitation(c quitam.Citation) awards.Citation {
	return awards.Citation{Label: upperFirst(c.Label), Ref: c.Ref, Status: awards.Checked(c.Status)}
}
