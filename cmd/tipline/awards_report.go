package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/pdf"
	"github.com/tipline/tipline/server"
	"github.com/tipline/tipline/store"
)

// reportSynopsis is the synopsis of `tipline awards report`.
const reportSynopsis = "tipline awards report --claim ID --out FILE.pdf [--fee PERCENT]"

// awardsReport is `tipline awards report`: a claim's award report, the
// one counsel download from the claim's page, printed to PDF by headless
// Chromium (TIPLINE_CHROMIUM_URL, TIPLINE_CHROMIUM, or chromium on PATH).
// The command line acts as an administrator, and the claims service puts
// the export in the audit log.
func awardsReport(ctx context.Context, p *program, args []string) error {
	fs := config.NewFlagSet("awards report", "--claim ID --out FILE.pdf [--fee PERCENT]", p.stderr)
	claimID := fs.String("claim", "", "the claim's id")
	out := fs.String("out", "", "the PDF file to write (replaced if it exists)")
	feeText := fs.String("fee", "", "counsel's fee, a percentage of the award as paid, for the net to the client (such as 33.33)")
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 || *claimID == "" || *out == "" {
		return fmt.Errorf("%w: want %s", errUsage, reportSynopsis)
	}
	fee, err := claims.ParseFee(*feeText)
	if err != nil {
		return fmt.Errorf("%w: --fee: %s", errUsage, safe(err))
	}
	if _, err := pdf.FindBrowser(cfg.Chromium, cfg.ChromiumURL); err != nil {
		return err
	}
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	pepper, err := loadPepper(cfg, a.db.Dialect, newLogger(p.stderr, "warn"))
	if err != nil {
		return err
	}
	svc := &claims.Service{Store: store.New(a.db), Pepper: pepper, Now: time.Now}
	doc, r, err := svc.ExportReport(ctx, casework.Principal{Role: casework.RoleAdmin}, *claimID, server.ReportPrinter{Chromium: cfg.Chromium, ChromiumURL: cfg.ChromiumURL, FeeBP: fee, Log: newLogger(p.stderr, "warn")})
	if err != nil {
		return safe(err)
	}
	if err := writeFileAtomic(*out, doc, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "wrote the award report of claim %s to %s (%d bytes)\n", r.Claim.ID, *out, len(doc))
	return nil
}

// writeFileAtomic writes b to path through a temporary file in the same
// folder, so that path holds either its old content or all of b.
func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
