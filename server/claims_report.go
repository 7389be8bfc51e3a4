package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/pdf"
	"github.com/tipline/tipline/quitam"
	"github.com/tipline/tipline/static"
	"github.com/tipline/tipline/templates"
)

// The award report of a claim, drawn from the claims service's data: on the
// report page (casework_claim_report_page.html), and as a standalone
// document that headless Chromium prints to PDF, for the casework listener
// and for `tipline awards report`. Both use casework_claim_report.html,
// which reads only the words of reportView: no code of the engine reaches
// the client.

// reportView is a claim's award report in words, with its chart drawn.
type reportView struct {
	claims.Report
	Chart      template.HTML // "" when nothing was collected: no empty chart
	Title      string        // the document's title
	Status     string
	Who        string // who claims, in words
	Standing   string // whether the program is law
	Modelled   string // the text the estimate models: the bill's version, or the program's rules
	AsOf       string
	FeeBP      int  // counsel's fee, basis points of the award as paid
	FeeSet     bool // counsel entered a fee
	Fee        string
	FeeInput   string // the fee as counsel typed it, for the form
	Finding    string // the verdict in words
	Sources    []sourceRow
	Warnings   []warningRow
	Actions    []actionRow
	Plans      []planRow
	Deadlines  []deadlineRow
	Appeal     string
	AppealRef  citeRef
	Excluded   []excludedRow
	Scenarios  []scenarioRow
	Net        string // how sequestration reduces the award, "" where it does not
	NetRef     citeRef
	Tax        []taxRow
	Checklist  []checkRow
	Shares     []shareRow
	Splits     []shareRow
	Estimates  []historyRow // the estimates kept so far
	LookBack   string
	LookRef    citeRef
	Anonymity  string
	Threshold  string
	BandRef    citeRef
	Incomplete bool
	QuiTam     []quitamReport // the claim's qui tam matters the reader may see
}

// sourceRow is one numbered source of the report's figures.
type sourceRow struct {
	N                    int
	Label, Ref, Note     string
	Status               string
	Unverified, Verified bool
}

// citeRef points from a figure to its source: the source's number and
// whether the figure rests on an unverified one.
type citeRef struct {
	N          int
	Unverified bool
}

type warningRow struct {
	Label, Text string
	Unverified  bool
}

type moneyRow struct {
	Kind, Ordered string
}

// actionRow is an enforcement action of the claim in words.
type actionRow struct {
	Title, Relation, Court, Basis, Parties, Dates string
	Sanctions                                     []moneyRow
	Ordered, Collected                            string
	Ledger                                        []reportLedgerRow
}

type reportLedgerRow struct {
	Day, Kind, Amount, Document string
}

type planRow struct {
	Action, Role, Decision, Range, Deadline, Paying, DoubleRecovery string
	Notes                                                           []string
}

type deadlineRow struct {
	What, Due, Rule string
	Ref             citeRef
}

type excludedRow struct {
	Kind, Ordered, Collected, Why string
	Ref                           citeRef
}

type scenarioRow struct {
	Label, Base, Gross, Paid, Fee, Client string
}

type taxRow struct {
	Text string
	Ref  citeRef
}

type checkRow struct {
	Label, Cite, Kind, Status, Evidence string
	Attention                           bool // a condition not met or a disqualifier that applies
}

type shareRow struct {
	Claimant, Share, Range, Basis string
}

type historyRow struct {
	Day, Verdict, Base, Range string
}

// newReportView puts r in words, with feeBP the fee counsel entered
// (claims.NoFee for none).
func newReportView(r claims.Report, feeBP int) reportView {
	res := r.Verdict.Result
	v := reportView{Report: r, Title: "Award report: " + r.Claimant + " (claim " + r.Claim.ID + ")",
		Status: claims.StatusLabel(r.Claim.Status), Who: claims.ClaimantKindLabel(r.Claim.ClaimantKind),
		Standing: claims.StandingLabel(r.Program.Status), AsOf: r.Generated.UTC().Format(time.DateOnly),
		FeeBP: max(feeBP, 0), FeeSet: feeBP >= 0, Incomplete: r.Incomplete}
	v.Fee = claims.SharePercent(v.FeeBP)
	if v.FeeSet {
		v.FeeInput = awards.Cents(v.FeeBP).String() // hundredths of a percent, as cents are of a dollar
	}
	if slices.ContainsFunc(r.Collections, func(s claims.CollectionScenario) bool { return s.Base > 0 }) || anyCollected(r.Timeline) {
		v.Chart = timelineSVG(r.Timeline)
	}
	v.Modelled = "The program's rules as in force, last verified " + r.Program.VerifiedOn + "."
	if r.Program.Status == awards.Bill {
		v.Modelled = r.Program.Citations[0].Label + ": " + r.Program.Citations[0].Ref + ". " + r.Program.Citations[0].Note
	}
	switch {
	case r.Incomplete:
		v.Finding = "Incomplete: no enforcement action with a sanction ordered is linked yet, so the claim cannot be assessed."
	case r.Verdict.Eligible:
		v.Finding = "Eligible on the program's rules and the checklist."
	default:
		v.Finding = "Not eligible as things stand."
	}

	// Sources: the engine's, then the report's own terms, numbered.
	add := func(c awards.Citation) citeRef {
		for _, s := range v.Sources {
			if s.Ref == c.Ref && s.Label == c.Label {
				return citeRef{N: s.N, Unverified: s.Unverified}
			}
		}
		s := sourceRow{N: len(v.Sources) + 1, Label: c.Label, Ref: c.Ref, Note: c.Note, Status: claims.CheckedLabel(c.Status),
			Unverified: c.Status == awards.Unverified, Verified: c.Status == awards.Primary}
		v.Sources = append(v.Sources, s)
		return citeRef{N: s.N, Unverified: s.Unverified}
	}
	for _, c := range r.Program.Citations {
		add(c)
	}
	for _, c := range res.Sources {
		add(c)
	}
	// byRef finds the source of a rule the engine names by reference only.
	byRef := func(ref string, status awards.Checked) citeRef {
		for _, s := range v.Sources {
			if s.Ref == ref {
				return citeRef{N: s.N, Unverified: s.Unverified}
			}
		}
		if ref == "" {
			return citeRef{}
		}
		return add(awards.Citation{Label: ref, Ref: ref, Status: status})
	}
	if i := slices.IndexFunc(r.Program.Bands, func(b awards.Band) bool { return b.Label == res.Band }); i >= 0 {
		v.BandRef = add(r.Program.Bands[i].Cite)
	}
	if res.Threshold > 0 {
		met := "not met"
		if res.ThresholdMet {
			met = "met"
		}
		v.Threshold = fmt.Sprintf("%s, measured against %s: %s.", res.Threshold.USD(), res.Measured.USD(), met)
	} else {
		v.Threshold = "The program has no minimum."
	}

	for _, w := range res.Warnings {
		v.Warnings = append(v.Warnings, warningRow{Label: claims.WarningLabel(w.Kind), Text: w.Text, Unverified: w.Kind == awards.WarnUnverified})
	}
	for _, a := range r.Actions {
		v.Actions = append(v.Actions, newActionRow(a))
	}
	for _, a := range res.Actions {
		p := planRow{Action: a.ID, Role: claims.RelationLabel(claims.Relation(a.Role)), Range: a.Min.USD() + " to " + a.Max.USD(),
			Deadline: a.Deadline, Paying: claims.PayingProgramLabel(a.PayingProgram), DoubleRecovery: a.DoubleRecover, Notes: a.Notes}
		switch {
		case !a.Eligible:
			p.Decision, p.Range = "Not payable", "None"
		case a.Discretionary:
			p.Decision = "At the paying program's discretion: no minimum"
		default:
			p.Decision = "Payable within the program's band"
		}
		if p.Deadline == "" {
			p.Deadline = actionDeadline(res.Deadlines, a)
		}
		if p.Deadline == "" {
			p.Deadline = "None yet: it runs from a date not yet recorded"
		}
		if p.DoubleRecovery == "" {
			p.DoubleRecovery = "None stated"
		}
		v.Plans = append(v.Plans, p)
	}
	for _, d := range res.Deadlines {
		v.Deadlines = append(v.Deadlines, deadlineRow{What: d.Name, Due: d.Due.UTC().Format(time.DateOnly), Rule: d.Citation, Ref: byRef(d.Citation, d.Status)})
	}
	appeal := claims.AppealOf(r.Program.ID)
	v.Appeal = appeal.Text
	if appeal.Cite != nil {
		v.AppealRef = add(*appeal.Cite)
	}
	for _, e := range res.Excluded {
		kind := claims.KindLabel(e.Kind)
		if e.Related {
			kind += " (related action)"
		}
		v.Excluded = append(v.Excluded, excludedRow{Kind: kind, Ordered: e.Amount.USD(), Collected: e.Collected.USD(), Why: upperFirst(e.Reason), Ref: byRef(e.Citation, awards.Primary)})
	}
	if res.Net != nil {
		v.Net = fmt.Sprintf("IRS awards are reduced by sequestration: %s in fiscal year %d.", claims.SharePercent(res.Net.RateBP), res.Net.FiscalYear)
		v.NetRef = byRef(res.Net.Citation, res.Net.Status)
	}
	for _, s := range r.Collections {
		paidMin, paidMax := s.Min, s.Max
		if s.Net != nil {
			paidMin, paidMax = s.Net.Min, s.Net.Max
		}
		feeMin, feeMax := share(paidMin, v.FeeBP), share(paidMax, v.FeeBP)
		v.Scenarios = append(v.Scenarios, scenarioRow{Label: s.Label, Base: s.Base.USD(), Gross: s.Min.USD() + " to " + s.Max.USD(),
			Paid: paidMin.USD() + " to " + paidMax.USD(), Fee: feeMin.USD() + " to " + feeMax.USD(),
			Client: (paidMin - feeMin).USD() + " to " + (paidMax - feeMax).USD()})
	}
	for _, t := range claims.TaxNotes {
		v.Tax = append(v.Tax, taxRow{Text: t.Text, Ref: add(t.Cite)})
	}
	for _, it := range r.Claim.Checklist {
		kind := "Condition"
		if it.Kind == claims.Disqualifier {
			kind = "Disqualifier"
		}
		v.Checklist = append(v.Checklist, checkRow{Label: it.Label, Cite: it.Cite, Kind: kind, Status: claims.ItemStatusLabel(it.Kind, it.Status), Evidence: it.Evidence,
			Attention: it.Status == claims.Yes && it.Kind == claims.Disqualifier || it.Status == claims.No && it.Kind == claims.Condition})
	}
	if len(res.Claimants) > 1 {
		for _, c := range res.Claimants {
			row := shareRow{Claimant: c.Claimant, Range: c.Min.USD() + " to " + c.Max.USD(), Basis: c.Basis}
			if c.ShareBP > 0 {
				row.Share = claims.SharePercent(c.ShareBP)
			}
			v.Shares = append(v.Shares, row)
		}
	}
	for _, s := range r.Claim.Splits {
		v.Splits = append(v.Splits, shareRow{Claimant: s.Claimant, Share: claims.SharePercent(s.ShareBP)})
	}
	for _, e := range r.History {
		verdict := "Not eligible on the data of that day"
		switch {
		case e.Incomplete:
			verdict = "Incomplete: nothing to assess yet"
		case e.Eligible:
			verdict = "Eligible"
		}
		v.Estimates = append(v.Estimates, historyRow{Day: e.ComputedAt.UTC().Format(time.DateOnly), Verdict: verdict, Base: e.Base.USD(), Range: e.Min.USD() + " to " + e.Max.USD()})
	}
	if day, cite, ok := claims.LookBack(r.Claim); ok {
		v.LookBack, v.LookRef = day, add(cite)
	}
	v.Anonymity = claims.Anonymity(r.Claim)
	// A qui tam source is found by its reference, as the engine's are.
	cite := func(c quitam.Citation) citeRef {
		if i := slices.IndexFunc(v.Sources, func(s sourceRow) bool { return s.Ref == c.Ref }); i >= 0 {
			return citeRef{N: v.Sources[i].N, Unverified: v.Sources[i].Unverified}
		}
		return add(quitamCitation(c))
	}
	for _, m := range r.QuiTam {
		v.QuiTam = append(v.QuiTam, newQuitamReport(m, v.AsOf, cite))
	}
	return v
}

func newActionRow(a claims.Action) actionRow {
	row := actionRow{Title: a.Title, Relation: claims.RelationLabel(a.Relation), Basis: a.Basis, Ordered: a.Ordered().USD(), Collected: a.Collected("").USD()}
	row.Court = strings.Join(slices.DeleteFunc([]string{a.Agency, a.Forum, numbered(a.CaseNumber)}, func(s string) bool { return s == "" }), ", ")
	var names []string
	for _, d := range a.Defendants {
		names = append(names, d.Name)
	}
	row.Parties = strings.Join(names, "; ")
	var dates []string
	for _, d := range []struct{ what, day string }{{"Filed", a.FiledDay}, {"Final order", a.FinalOrderDay}, {"Notice of Covered Action", a.NoticeDay}} {
		if d.day != "" {
			dates = append(dates, d.what+" "+d.day)
		}
	}
	row.Dates = strings.Join(dates, "; ")
	for _, s := range a.Sanctions {
		row.Sanctions = append(row.Sanctions, moneyRow{Kind: claims.KindLabel(s.Kind), Ordered: s.Ordered.USD()})
	}
	for _, c := range a.Collections {
		amount := c.Amount.USD()
		if c.Reverses != 0 {
			amount += fmt.Sprintf(" (reverses entry %d)", c.Reverses)
		}
		row.Ledger = append(row.Ledger, reportLedgerRow{Day: c.ReceivedDay, Kind: claims.KindLabel(c.Kind), Amount: amount, Document: c.DocumentRef})
	}
	return row
}

// actionDeadline is the first deadline of an action: one the engine
// lists for the related action, or for a covered action the claim's own.
func actionDeadline(deadlines []awards.Deadline, a awards.ActionResult) string {
	for _, d := range deadlines {
		if d.Action == a.ID || d.Action == "" && a.Role == awards.Covered {
			return d.Due.UTC().Format(time.DateOnly) + " (" + d.Name + ")"
		}
	}
	return ""
}

func numbered(caseNumber string) string {
	if caseNumber == "" {
		return ""
	}
	return "No. " + caseNumber
}

// share is bp basis points of c, rounded down.
func share(c awards.Cents, bp int) awards.Cents {
	return c/10000*awards.Cents(bp) + c%10000*awards.Cents(bp)/10000
}

func anyCollected(points []claims.Point) bool {
	return slices.ContainsFunc(points, func(p claims.Point) bool { return p.Collected != 0 })
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// reportDocument is the template of the printable report: a whole HTML
// document with its styles inline, since Chromium prints it from memory.
var reportDocument = template.Must(template.ParseFS(templates.FS, "casework_claim_report.html", "casework_claim_report_pdf.html"))

// ReportDocument renders an award report as a standalone HTML document for
// printing: styles inline, nothing to load. feeBP is counsel's fee in
// basis points of the award as paid, claims.NoFee for none.
func ReportDocument(r claims.Report, feeBP int) ([]byte, error) {
	var css bytes.Buffer
	for _, name := range []string{"css/tipline.css", "css/casework.css"} {
		b, err := fs.ReadFile(static.FS, name)
		if err != nil {
			return nil, fmt.Errorf("server: report styles: %w", err)
		}
		css.Write(b)
		css.WriteByte('\n')
	}
	var out bytes.Buffer
	err := reportDocument.ExecuteTemplate(&out, "document", struct {
		Report reportView
		CSS    template.CSS
	}{newReportView(r, feeBP), template.CSS(css.String())})
	if err != nil {
		return nil, fmt.Errorf("server: render report: %w", err)
	}
	return out.Bytes(), nil
}

// The running header and footer of the printed report (Chromium's
// templates: it fills pageNumber and totalPages).
const (
	reportHeader = `<div style="font-size:8pt;font-family:sans-serif;width:100%;margin:0 0.75in;color:#333;border-bottom:0.5pt solid #999;padding-bottom:2pt">Privileged &amp; Confidential — Attorney Work Product</div>`
	reportFooter = `<div style="font-size:8pt;font-family:sans-serif;width:100%;margin:0 0.75in;color:#333;display:flex;justify-content:space-between"><span>{{footnote}}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
)

// ReportPrinter prints award reports to PDF (claims.Printer): the
// document of ReportDocument, printed by the running headless Chromium at
// the DevTools address ChromiumURL when set, else by the binary Chromium,
// or found on PATH when that is "". FeeBP is counsel's fee in basis
// points, claims.NoFee for none; Log notes why Chromium runs unsandboxed.
type ReportPrinter struct {
	Chromium    string
	ChromiumURL string
	FeeBP       int
	Log         *slog.Logger
}

var _ claims.Printer = ReportPrinter{}

// Print implements claims.Printer.
func (p ReportPrinter) Print(ctx context.Context, r claims.Report) ([]byte, error) {
	html, err := ReportDocument(r, p.FeeBP)
	if err != nil {
		return nil, err
	}
	browser, err := pdf.FindBrowser(p.Chromium, p.ChromiumURL)
	if err != nil {
		return nil, err
	}
	footer := strings.Replace(reportFooter, "{{footnote}}", template.HTMLEscapeString("Award report, claim "+r.Claim.ID+", as of "+r.Generated.UTC().Format(time.DateOnly)), 1)
	return pdf.Print(ctx, browser, html, pdf.Options{Header: reportHeader, Footer: footer, Log: p.Log, Info: pdf.Info{
		Title:    "Award report: " + r.Claimant + " (claim " + r.Claim.ID + ")",
		Author:   strings.Join(r.Claim.Counsel, ", "),
		Subject:  r.Program.Name,
		Creator:  "Tipline award report",
		Producer: "Tipline, printed by headless Chromium",
		Day:      r.Generated,
	}})
}

// reportFileName is the download name of a claim's report PDF.
func reportFileName(r claims.Report) string {
	return "award-report-" + r.Claim.ID + "-" + r.Generated.UTC().Format(time.DateOnly) + ".pdf"
}
