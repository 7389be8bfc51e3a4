package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/crypto"
)

func keys(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	switch sub {
	case "add":
		return keysAdd(ctx, p, args)
	case "list":
		return keysList(ctx, p, args)
	case "remove":
		return keysRemove(ctx, p, args)
	case "generate":
		return keysGenerate(p, args)
	}
	return usageOrHelp(p, args, "tipline keys add --desk SLUG --file KEY.asc\n"+
		"       tipline keys list [--desk SLUG]\n"+
		"       tipline keys remove --desk SLUG FINGERPRINT\n"+
		"       tipline keys generate --name NAME --out-public FILE --out-private FILE [--passphrase-file FILE]")
}

func keysAdd(ctx context.Context, p *program, args []string) error {
	fs := config.NewFlagSet("keys add", "--desk SLUG --file KEY.asc", p.stderr)
	desk := fs.String("desk", "", "slug of the desk whose submissions are encrypted to the key")
	file := fs.String("file", "", "armored OpenPGP public key (GnuPG, go-crypto or OpenPGP.js); - for standard input")
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 || *desk == "" || *file == "" {
		return fmt.Errorf("%w: want 'tipline keys add --desk SLUG --file KEY.asc'", errUsage)
	}
	var armored []byte
	if *file == "-" {
		armored, err = io.ReadAll(io.LimitReader(p.stdin, 1<<20))
	} else {
		armored, err = os.ReadFile(*file)
	}
	if err != nil {
		return fmt.Errorf("read key: %w", err)
	}
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	k, err := a.admin.AddKey(ctx, casework.CommandLine, *desk, armored)
	if err != nil {
		return safe(err)
	}
	fmt.Fprintf(p.stdout, "added key %s (%s) to desk %s\n", k.Fingerprint, strings.Join(k.UserIDs, ", "), *desk)
	return nil
}

func keysList(ctx context.Context, p *program, args []string) error {
	fs := config.NewFlagSet("keys list", "", p.stderr)
	desk := fs.String("desk", "", "list only this desk's keys")
	cfg, rest, err := parseArgs(p, fs, args)
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
	all, err := a.desks.Store.Keys(ctx, *desk)
	if err != nil {
		return safe(err)
	}
	now := time.Now()
	w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "DESK\tFINGERPRINT\tSTATUS\tADDED\tUSER IDS\n")
	for _, k := range all {
		status, uids := "valid", ""
		pub, err := crypto.ParsePublicKey([]byte(k.Armored), now)
		switch {
		case err != nil:
			status = strings.TrimPrefix(err.Error(), "crypto: ")
		default:
			uids = strings.Join(pub.UserIDs, ", ")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", k.DeskSlug, k.Fingerprint, status, k.CreatedAt.UTC().Format("2006-01-02"), uids)
	}
	return w.Flush()
}

func keysRemove(ctx context.Context, p *program, args []string) error {
	fs := config.NewFlagSet("keys remove", "--desk SLUG FINGERPRINT", p.stderr)
	desk := fs.String("desk", "", "slug of the desk to remove the key from")
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 || *desk == "" {
		return fmt.Errorf("%w: want 'tipline keys remove --desk SLUG FINGERPRINT'", errUsage)
	}
	// Fingerprints are often copied with spaces, as GnuPG prints them.
	fingerprint := strings.ToUpper(strings.Join(strings.Fields(strings.Join(rest, " ")), ""))
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.admin.RemoveKey(ctx, casework.CommandLine, *desk, fingerprint); err != nil {
		return safe(err)
	}
	left, err := a.desks.Recipients(ctx, *desk)
	if err != nil {
		return safe(err)
	}
	fmt.Fprintf(p.stdout, "removed key %s from desk %s\n", fingerprint, *desk)
	if len(left) == 0 {
		fmt.Fprintf(p.stdout, "desk %s has no valid key left and accepts no tips until one is added\n", *desk)
	}
	return nil
}

func keysGenerate(p *program, args []string) error {
	fs := config.NewFlagSet("keys generate", "--name NAME --out-public FILE --out-private FILE", p.stderr)
	name := fs.String("name", "", "name in the key's user id")
	email := fs.String("email", "", "email address in the key's user id (optional)")
	outPublic := fs.String("out-public", "", "file to write the armored public key to")
	outPrivate := fs.String("out-private", "", "file to write the passphrase-protected armored private key to (mode 0600)")
	passFile := fs.String("passphrase-file", "", "read the passphrase from the first line of this file instead of prompting")
	if _, rest, err := parseArgs(p, fs, args); err != nil {
		return err
	} else if len(rest) != 0 || *name == "" || *outPublic == "" || *outPrivate == "" {
		return fmt.Errorf("%w: want 'tipline keys generate --name NAME --out-public FILE --out-private FILE'", errUsage)
	}
	passphrase, err := readNewPassphrase(p, *passFile)
	if err != nil {
		return err
	}
	pub, priv, fingerprint, err := crypto.GenerateKey(*name, *email, passphrase, time.Now())
	if err != nil {
		return err
	}
	if err := writeNew(*outPrivate, priv, 0o600); err != nil {
		return err
	}
	if err := writeNew(*outPublic, pub, 0o644); err != nil {
		os.Remove(*outPrivate)
		return err
	}
	fmt.Fprintf(p.stdout, "generated key %s\npublic key:  %s\nprivate key: %s (keep it offline; it decrypts every tip sent to it)\n", fingerprint, *outPublic, *outPrivate)
	return nil
}

// readSecretFile returns the first line of a file holding a passphrase or
// password.
func readSecretFile(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, errors.Unwrap(err))
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return bytes.TrimRight(line, "\r"), nil
}

// readPassphrase reads a passphrase from the first line of file, or asks
// for it on the terminal without echo.
func readPassphrase(p *program, file, prompt string) ([]byte, error) {
	if file != "" {
		return readSecretFile(file)
	}
	fd := int(os.Stdin.Fd())
	if p.stdin != os.Stdin || !term.IsTerminal(fd) {
		return nil, fmt.Errorf("%w: no terminal to ask for the passphrase: use --passphrase-file", errUsage)
	}
	fmt.Fprint(p.stderr, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(p.stderr)
	return b, err
}

// readNewPassphrase is readPassphrase asking twice on the terminal.
func readNewPassphrase(p *program, file string) ([]byte, error) {
	first, err := readPassphrase(p, file, "Passphrase for the new private key: ")
	if err != nil || file != "" {
		return first, err
	}
	second, err := readPassphrase(p, "", "Repeat the passphrase: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(first, second) {
		return nil, errors.New("the passphrases differ")
	}
	return first, nil
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	w := bufio.NewWriter(f)
	w.Write(data)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write key: %w", err)
	}
	return f.Close()
}
