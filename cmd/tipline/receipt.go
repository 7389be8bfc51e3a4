package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// errReceiptInvalid makes `tipline receipt verify` exit 1 after printing why.
var errReceiptInvalid = errors.New("the receipt does not verify")

func receipt(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	if sub != "verify" {
		return usageOrHelp(p, args, "tipline receipt verify FILE [--key RECEIPT-KEY.asc]")
	}
	fs := config.NewFlagSet("receipt verify", "FILE", p.stderr)
	keyFile := fs.String("key", "", "the server's receipt public key (/receipt-key.asc on the intake listener); default: read it from the database")
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: want 'tipline receipt verify FILE'", errUsage)
	}
	text, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	st := store.New(a.db)
	var signer *crypto.PublicKey
	if *keyFile != "" {
		armored, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		if signer, err = crypto.ParsePublicKey(armored, time.Now()); err != nil {
			return err
		}
	} else {
		pepper, err := loadPepper(cfg, a.db.Dialect, newLogger(p.stderr, "warn"))
		if err != nil {
			return err
		}
		rs, err := intake.LoadReceiptSigner(ctx, st, pepper)
		if err != nil {
			return err
		}
		if signer, err = crypto.ParsePublicKey([]byte(rs.PublicKey()), time.Now()); err != nil {
			return err
		}
	}
	v, err := intake.VerifyReceipt(ctx, text, signer, st)
	if err != nil {
		return err
	}
	tail, err := checkTail(ctx, cfg, a.db, chain.Intake, newLogger(p.stderr, "warn"))
	if err != nil {
		return err
	}
	v.LogAnchored = tail.OK()
	if !v.LogAnchored && v.Problem == "" {
		v.Problem = "the intake log does not end where its anchors say: " + strings.Join(tail.Problems, "; ")
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(p.stdout, string(out))
	if v.Problem != "" {
		return errReceiptInvalid
	}
	return nil
}
