package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/store"
)

// newStaff builds the staff service on an open database. The pepper seals
// TOTP secrets, so serve and the users command must share it.
func newStaff(cfg *config.Config, db *database.DB, log *slog.Logger) (*casework.Staff, error) {
	pepper, err := loadPepper(cfg, db.Dialect, log)
	if err != nil {
		return nil, err
	}
	if err := anchorLogs(db, pepper); err != nil {
		return nil, err
	}
	return casework.NewStaff(store.New(db), pepper, log), nil
}

// deskList is a repeatable --desk flag.
type deskList []string

func (d *deskList) String() string     { return strings.Join(*d, ",") }
func (d *deskList) Set(v string) error { *d = append(*d, v); return nil }

const usersSynopsis = "tipline users add --email E --role admin|investigator|counsel|auditor --password-file F [--desk SLUG]...\n" +
	"       tipline users list\n       tipline users reset-totp --email E\n       tipline users disable --email E\n" +
	"       tipline users set-key --email E --file KEY.asc"

func users(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	fs := config.NewFlagSet("users "+sub, "", p.stderr)
	var email, role, passwordFile, keyFile *string
	var desks deskList
	switch sub {
	case "add":
		email = fs.String("email", "", "the staff member's email address, their login name")
		role = fs.String("role", "", "admin, investigator, counsel or auditor")
		passwordFile = fs.String("password-file", "", "file holding the initial password (first line)")
		fs.Var(&desks, "desk", "slug of a desk the staff member works on (repeatable)")
	case "reset-totp", "disable":
		email = fs.String("email", "", "the staff member's email address")
	case "set-key":
		email = fs.String("email", "", "the staff member's email address")
		keyFile = fs.String("file", "", "file holding the staff member's armored OpenPGP public key, for access grants")
	case "list":
	default:
		return usageOrHelp(p, args, usersSynopsis)
	}
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	if email != nil && *email == "" {
		return fmt.Errorf("%w: --email is required", errUsage)
	}
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	staff, err := newStaff(cfg, a.db, newLogger(p.stderr, "warn"))
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		if *passwordFile == "" {
			return fmt.Errorf("%w: --password-file is required", errUsage)
		}
		password, err := readSecretFile(*passwordFile)
		if err != nil {
			return err
		}
		u, uri, err := staff.AddUser(ctx, 0, *email, casework.Role(*role), string(password), desks)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintln(p.stdout, uri)
		fmt.Fprintf(p.stderr, "added %s (%s); enroll the otpauth:// URI above in an authenticator app\n", u.Email, u.Role)
	case "list":
		all, err := staff.ListUsers(ctx)
		if err != nil {
			return safe(err)
		}
		w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
		// FAILED counts failed logins since the last successful one; LAST
		// FAILURE is the day of the last (every one is in the audit log).
		fmt.Fprintf(w, "EMAIL\tROLE\tDESKS\tSTATUS\tFAILED\tLAST FAILURE\tCREATED\n")
		for _, u := range all {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			last := "-"
			if !u.LastFailedLogin.IsZero() {
				last = u.LastFailedLogin.UTC().Format(time.DateOnly)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", u.Email, u.Role, strings.Join(u.Desks, ","), status,
				u.FailedLogins, last, u.CreatedAt.UTC().Format(time.DateOnly))
		}
		return w.Flush()
	case "reset-totp":
		uri, err := staff.ResetTOTP(ctx, 0, *email)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintln(p.stdout, uri)
		fmt.Fprintf(p.stderr, "new TOTP secret for %s; its sessions have ended\n", *email)
	case "disable":
		if err := staff.Disable(ctx, 0, *email); err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "disabled %s; its sessions have ended\n", *email)
	case "set-key":
		if *keyFile == "" {
			return fmt.Errorf("%w: --file is required", errUsage)
		}
		armored, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		grants := &casework.Grants{Store: store.New(a.db), Now: time.Now}
		k, err := grants.SetKey(ctx, 0, *email, armored)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "set the public key of %s to %s\n", strings.ToLower(*email), k.Fingerprint)
	}
	return nil
}
