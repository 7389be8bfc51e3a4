package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
)

// Synopses of the awards subcommands.
const (
	estimateSynopsis     = "tipline awards estimate --program ID [--ordered USD] [--collected USD] [--forfeited USD] [--amount-in-dispute USD] [--individual-income USD] [--intervened=true|false] [--public-disclosure] [--claimants N]"
	estimateCaseSynopsis = "tipline awards estimate --case FILE|-"
	programsSynopsis     = "tipline awards programs"
)

// awardsCommands are the subcommands of `tipline awards`, one row each.
var awardsCommands = []struct {
	name, synopsis string
	run            func(ctx context.Context, p *program, args []string) error
}{
	{"estimate", estimateSynopsis + "\n       " + estimateCaseSynopsis, awardsEstimate},
	{"programs", programsSynopsis, awardsPrograms},
	{"report", reportSynopsis, awardsReport},
}

// awardsCmd dispatches `tipline awards SUBCOMMAND`.
func awardsCmd(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	var synopses []string
	for _, c := range awardsCommands {
		if c.name == sub {
			return c.run(ctx, p, rest)
		}
		synopses = append(synopses, c.synopsis)
	}
	return usageOrHelp(p, args, strings.Join(synopses, "\n       "))
}

// usdFlag is a dollar amount flag that remembers whether it was set.
type usdFlag struct {
	v   awards.Cents
	set bool
}

func (f *usdFlag) String() string { return f.v.String() }
func (f *usdFlag) Set(s string) error {
	v, err := awards.ParseUSD(s)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

// boolPtrFlag is true, false or unset.
type boolPtrFlag struct{ v *bool }

func (f *boolPtrFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.FormatBool(*f.v)
}
func (f *boolPtrFlag) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	f.v = &b
	return nil
}
func (f *boolPtrFlag) IsBoolFlag() bool { return true }

// estimateOutput is the stable JSON of `tipline awards estimate`: amounts in
// decimal dollars, days as YYYY-MM-DD.
type estimateOutput struct {
	Program        string                 `json:"program"`
	Eligible       bool                   `json:"eligible"`
	Reasons        []string               `json:"reasons"`
	Threshold      awards.Cents           `json:"threshold"`
	Measured       awards.Cents           `json:"measured"`
	ThresholdMet   bool                   `json:"threshold_met"`
	Base           awards.Cents           `json:"base"`
	Band           string                 `json:"band"`
	Min            awards.Cents           `json:"min"`
	Max            awards.Cents           `json:"max"`
	PerClaimantMin awards.Cents           `json:"per_claimant_min"`
	PerClaimantMax awards.Cents           `json:"per_claimant_max"`
	Projected      awards.Range           `json:"projected"`
	Presumption    string                 `json:"presumption,omitempty"`
	Excluded       []awards.Exclusion     `json:"excluded"`
	VerifiedOn     string                 `json:"verified_on"`
	Citations      []string               `json:"citations"`
	Actions        []awards.ActionResult  `json:"actions"`
	Claimants      []awards.ClaimantShare `json:"claimants"`
	Deadlines      []awards.Deadline      `json:"deadlines"`
	Scenarios      []awards.Scenario      `json:"scenarios"`
	Net            *awards.Net            `json:"net,omitempty"`
	Warnings       []awards.Warning       `json:"warnings"`
	Sources        []awards.Citation      `json:"sources"`
}

// awardsEstimate is `tipline awards estimate`: one program, the claim from
// a case file (--case) or from flags, JSON on standard output. It needs no
// database.
func awardsEstimate(_ context.Context, p *program, args []string) error {
	fs := flag.NewFlagSet("awards estimate", flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	casePath := fs.String("case", "", "a JSON case file (- for standard input); the other flags are then not used")
	id := fs.String("program", "", "program id: sec, cftc, irs, fincen, doj-pilot, fca, bis-s1473, bis-hr6322")
	var ordered, collected, forfeited, dispute, income usdFlag
	var intervened boolPtrFlag
	fs.Var(&ordered, "ordered", "sanctions ordered that the program counts, in USD (penalties, disgorgement, interest, fines; damages for fca)")
	fs.Var(&collected, "collected", "of those, the amount collected so far, in USD (default: nothing collected)")
	fs.Var(&forfeited, "forfeited", "net proceeds forfeited and collected, in USD (doj-pilot; counts where the program counts forfeiture)")
	fs.Var(&dispute, "amount-in-dispute", "irs: tax, penalties, interest and additions in dispute, in USD")
	fs.Var(&income, "individual-income", "irs: the individual taxpayer's gross income in the highest year at issue, in USD (omit for a business)")
	fs.Var(&intervened, "intervened", "fca: true if the government intervened, false if it declined (omit if undecided)")
	public := fs.Bool("public-disclosure", false, "fca, irs: the case rests principally on public disclosures")
	claimants := fs.Int("claimants", 1, "joint claimants sharing the award")
	fs.Usage = func() {
		fmt.Fprintf(p.stderr, "Usage: %s\n       %s\n\nFlags:\n", estimateSynopsis, estimateCaseSynopsis)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var in awards.Input
	switch {
	case fs.NArg() != 0 || (*id == "") == (*casePath == ""):
		return fmt.Errorf("%w: want %s\n       or %s", errUsage, estimateSynopsis, estimateCaseSynopsis)
	case *casePath != "":
		var err error
		if in, err = readCaseFile(p, *casePath); err != nil {
			return err
		}
	default:
		if *claimants < 1 {
			return fmt.Errorf("%w: --claimants must be at least 1", errUsage)
		}
		prog, err := awards.ProgramByID(*id)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, safe(err))
		}
		in = awards.Input{Program: prog.ID, AsOf: time.Now().UTC(),
			IRS: awards.IRSFacts{AmountInDispute: dispute.v, TaxpayerIndividual: income.set, IndividualIncome: income.v, PublicDisclosure: *public},
			FCA: awards.FCAFacts{Intervention: interventionOf(intervened.v), PublicDisclosure: *public}}
		covered := awards.Action{ID: "covered", Role: awards.Covered, Authority: awards.ProgramAuthority(prog.ID)}
		if ordered.set || collected.set {
			covered.Sanctions = append(covered.Sanctions, awards.Sanction{Kind: countingKind(prog), Ordered: max(ordered.v, collected.v), Collected: collected.v})
		}
		if forfeited.set {
			covered.Sanctions = append(covered.Sanctions, awards.Sanction{Kind: awards.Forfeiture, Ordered: forfeited.v, Collected: forfeited.v})
		}
		in.Actions = []awards.Action{covered}
		for i := range *claimants {
			in.Claimants = append(in.Claimants, awards.Claimant{ID: fmt.Sprintf("claimant-%d", i+1), Joint: *claimants > 1})
		}
	}
	r, err := awards.Estimate(in)
	if err != nil {
		if *casePath != "" && tipline.ErrorCode(err) == tipline.NotFound {
			return fmt.Errorf("program: %v", safe(err))
		}
		return safe(err)
	}
	out := estimateOutput{
		Program: r.Program, Eligible: r.Eligible, Reasons: r.Reasons, Threshold: r.Threshold, Measured: r.Measured,
		ThresholdMet: r.ThresholdMet, Base: r.Base, Band: r.Band, Min: r.Min, Max: r.Max,
		PerClaimantMin: r.PerClaimantMin, PerClaimantMax: r.PerClaimantMax, Projected: r.Projected,
		Presumption: r.Presumption, Excluded: r.Excluded, VerifiedOn: r.VerifiedOn,
		Actions: r.Actions, Claimants: r.Claimants, Deadlines: r.Deadlines, Scenarios: r.Scenarios, Net: r.Net, Warnings: r.Warnings, Sources: r.Sources,
	}
	for _, c := range r.Citations {
		out.Citations = append(out.Citations, c.Ref)
	}
	enc := json.NewEncoder(p.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// readCaseFile reads a case file from path, or standard input for "-".
func readCaseFile(p *program, path string) (awards.Input, error) {
	r := p.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return awards.Input{}, fmt.Errorf("%w: %v", errUsage, err)
		}
		defer f.Close()
		r = f
	}
	in, err := awards.ReadCase(r, time.Now())
	if err != nil {
		return awards.Input{}, safe(err)
	}
	return in, nil
}

// interventionOf reads --intervened: unset is undecided.
func interventionOf(v *bool) awards.Intervention {
	switch {
	case v == nil:
		return awards.NotYetDecided
	case *v:
		return awards.Intervened
	}
	return awards.Declined
}

// countingKind is the kind the --ordered and --collected amounts are
// entered as: the program's first kind that counts (penalty for the
// agencies, tax for the IRS, damages for the FCA, fine for the BIS bills).
func countingKind(p awards.Program) awards.Kind {
	return p.Counts[0].Kind
}

// awardsPrograms is `tipline awards programs`.
func awardsPrograms(_ context.Context, p *program, args []string) error {
	if len(args) > 0 {
		return usageOrHelp(p, args, programsSynopsis)
	}
	w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "ID\tSTATUS\tVERIFIED\tUNVERIFIED\tNAME\n")
	for _, pr := range awards.Programs() {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", pr.ID, pr.Status, pr.VerifiedOn, len(pr.Unverified()), pr.Name)
	}
	return w.Flush()
}
