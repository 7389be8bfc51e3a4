// Command tipline is the whole Tipline deployment in one binary: the intake
// and casework listeners (serve) and the administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/tipline/tipline/intake"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it falls back to the VCS revision Go records in the binary.
var version = ""

// program is one invocation: its arguments, environment and output streams,
// passed explicitly so that tests run it in-process.
type program struct {
	args   []string
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// onListen, when set, is told the bound addresses and given the
	// intake service once serve listens (for tests and benchmarks).
	onListen func(intakeAddr, caseworkAddr string, in *intake.Service)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, p *program, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the intake and casework listeners", serve},
		{"migrate", "apply database migrations (up) or list them (status)", migrate},
		{"desks", "add or list desks (routing targets for tips)", desks},
		{"keys", "add, list, remove or generate desks' recipient OpenPGP keys", keys},
		{"submissions", "list submissions or export one as OpenPGP messages for GnuPG", submissions},
		{"users", "add, list, disable staff accounts or reset their TOTP", users},
		{"audit", "verify the staff audit log: its hash chain, and that it ends where its anchors say", audit},
		{"decrypt", "decrypt an exported or downloaded object offline with a recipient's private key", decrypt},
		{"receipt", "verify a source's signed receipt against the intake log", receipt},
		{"backup", "copy the database and blobs with a manifest (--out DIR), check a copy (verify DIR), describe one made otherwise (manifest DIR)", backupCmd},
		{"restore", "restore a copy made by backup into an empty deployment", restoreCmd},
		{"retention", "delete closed tips their desk's retention policy lets go, unless held (run [--dry-run])", retentionCmd},
		{"healthcheck", "exit 0 when a listener's /readyz answers 200 (for container health checks)", healthcheck},
		{"screening", "import screening lists (U.S. Consolidated Screening List CSV), search them, list versions", screeningCmd},
		{"awards", "estimate whistleblower awards under each program's rules (estimate, programs)", awardsCmd},
		{"dev", "development only: seed synthetic data for load tests (dev seed)", dev},
		{"version", "print the version", printVersion},
		{"help", "list the commands", help},
	}
}

// errUsage marks an error in how the command was called (exit status 2).
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	p := &program{args: os.Args[1:], getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	code := p.run(ctx)
	stop()
	os.Exit(code)
}

// run executes the subcommand and returns the exit status.
func (p *program) run(ctx context.Context) int {
	name := "help"
	args := p.args
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "-h" || name == "--help" {
		name = "help"
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, p, args)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(p.stderr, "tipline %s: %v\n", name, err)
			return 2
		default:
			fmt.Fprintf(p.stderr, "tipline %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(p.stderr, "tipline: unknown command %q\n\n", name)
	help(ctx, p, nil)
	return 2
}

func help(_ context.Context, p *program, _ []string) error {
	fmt.Fprintf(p.stdout, "Tipline: whistleblower tip intake and casework.\n\nUsage: tipline COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(p.stdout, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(p.stdout, "\nRun 'tipline COMMAND --help' for the settings of a command.\n")
	return nil
}

func printVersion(_ context.Context, p *program, _ []string) error {
	fmt.Fprintln(p.stdout, "tipline", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// newLogger returns the JSON logger every command writes to stderr.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
