package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/store"
)

// errAuditBroken makes `tipline audit verify` exit 1 after it has said
// where the chain breaks.
var errAuditBroken = errors.New("the audit log does not verify")

func audit(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	if sub != "verify" {
		return usageOrHelp(p, args, "tipline audit verify")
	}
	cfg, rest, err := parseArgs(p, config.NewFlagSet("audit verify", "", p.stderr), args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	n, broken, err := casework.VerifyAuditLog(ctx, store.New(a.db))
	switch {
	case errors.Is(err, casework.ErrAuditBroken):
		fmt.Fprintf(p.stdout, "audit log broken at entry %d\n", broken)
		return errAuditBroken
	case err != nil:
		return safe(err)
	}
	fmt.Fprintf(p.stdout, "audit log intact: %d entries\n", n)
	return nil
}
