// Package config reads Tipline's settings. Every setting is an environment
// variable TIPLINE_*, overridden by a command-line flag; secrets may instead be
// read from a file named by the variable's _FILE twin. Settings are parsed once
// into a Config and passed down explicitly.
package config

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
)

// Config holds every setting of the tipline binary.
type Config struct {
	DataDir         string        // folder for the embedded SQLite database and blob directory
	IntakeAddr      string        // listener for sources
	CaseworkAddr    string        // listener for staff
	MetricsAddr     string        // listener for /metrics alone; empty: /metrics is on the casework listener
	DatabaseURL     string        // postgres://… or a SQLite file path
	BlobURL         string        // s3://… or a directory
	Migrate         bool          // apply pending migrations when serve starts
	MaxRequestBytes int64         // largest request body accepted by ordinary routes
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGINT/SIGTERM
	StartupTimeout  time.Duration // how long serve waits for an unreachable database or blob store at start
	LogLevel        string        // debug, info, warn or error

	Pepper           string        // hex; empty means the file DATA_DIR/pepper, made on first use
	PepperFile       string        // the file TIPLINE_PEPPER_FILE named, when the pepper came from one
	QuestionnaireDir string        // folder of SLUG.json files overriding desks' default questionnaires
	MaxFormUpload    int64         // largest submission without JavaScript (server-side encryption), bytes
	MaxFileBytes     int64         // largest file on the JavaScript path, bytes
	UploadTimeout    time.Duration // how long one upload request may take to arrive
	UploadMinRate    int64         // bytes per second an upload body must average after UploadGrace; 0: no minimum
	UploadGrace      time.Duration // waiting for an upload body allowed before UploadMinRate applies
	UploadIdle       time.Duration // an upload session without a chunk for this long is removed
	OnionAddress     string        // the intake onion service's host name, for Onion-Location
	PendingMaxAge    time.Duration // age after which the janitor removes uncommitted blobs
	JanitorInterval  time.Duration // time between two sweeps of the janitor (the first at start)
	DiskMinFree      int64         // free bytes under the blob folder and the SQLite database below which /readyz fails
	DeskHourlyLimit  int           // submissions per desk per hour before further ones are flagged (soft)
	TotalHourlyLimit int           // submissions over all desks per hour before further ones are flagged (soft)
	Chromium         string        // headless Chromium for PDF reports; empty: found on PATH
	ChromiumURL      string        // DevTools address of a running headless Chromium for PDF reports; wins over Chromium

	// PendingBytesBudget bounds the bytes of uncommitted blobs (pending
	// submissions and upload chunks) over all sources (hard).
	PendingBytesBudget int64
	// CommittedBytesPerHour bounds the bytes committed per hour over all
	// desks (hard).
	CommittedBytesPerHour int64
	// MaxUploadSessions bounds the upload sessions open at once over all
	// desks on the JavaScript path.
	MaxUploadSessions int
	// Notify holds the settings of staff notices.
	Notify Notify
}

// setting describes one configuration value: its environment variable, its
// flag, its default and how to store it into a Config.
type setting struct {
	env    string
	flag   string
	def    string
	shown  string // the default as --help shows it, when def is computed later
	help   string
	secret bool // may be read from the file named by env + "_FILE"
	set    func(c *Config, v string) error
}

var settings = append([]setting{
	{env: "TIPLINE_DATA_DIR", flag: "data-dir", def: "./tipline-data",
		help: "folder for the embedded default: SQLite database and blob directory",
		set:  func(c *Config, v string) error { c.DataDir = v; return nonEmpty(v) }},
	{env: "TIPLINE_INTAKE_ADDR", flag: "intake-addr", def: "127.0.0.1:8080",
		help: "host:port of the intake listener (sources)",
		set:  func(c *Config, v string) error { c.IntakeAddr = v; return hostPort(v) }},
	{env: "TIPLINE_CASEWORK_ADDR", flag: "casework-addr", def: "127.0.0.1:8081",
		help: "host:port of the casework listener (staff)",
		set:  func(c *Config, v string) error { c.CaseworkAddr = v; return hostPort(v) }},
	{env: "TIPLINE_METRICS_ADDR", flag: "metrics-addr", shown: "on the casework listener",
		help: "host:port (loopback) of a listener that serves only Prometheus /metrics; empty: /metrics is on the casework listener, never on the intake one",
		set: func(c *Config, v string) error {
			c.MetricsAddr = v
			if v == "" {
				return nil
			}
			return hostPort(v)
		}},
	{env: "TIPLINE_DATABASE_URL", flag: "database-url", shown: "TIPLINE_DATA_DIR/tipline.db",
		help:   "postgres://USER:PASS@HOST:PORT/DB?sslmode=… or a SQLite file path",
		secret: true,
		set: func(c *Config, v string) error {
			c.DatabaseURL = v
			if v == "" {
				return nil
			}
			_, err := database.ParseURL(v)
			return err
		}},
	{env: "TIPLINE_BLOB_URL", flag: "blob-url", shown: "TIPLINE_DATA_DIR/blobs",
		help:   "s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?tls=true|false&region=REGION or a directory",
		secret: true,
		set: func(c *Config, v string) error {
			c.BlobURL = v
			if strings.HasPrefix(v, "s3://") {
				_, err := blob.ParseS3URL(v)
				return err
			}
			return nil
		}},
	{env: "TIPLINE_MIGRATE", flag: "migrate", def: "true",
		help: "apply pending database migrations when serve starts",
		set: func(c *Config, v string) (err error) {
			c.Migrate, err = strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			return nil
		}},
	{env: "TIPLINE_MAX_REQUEST_BYTES", flag: "max-request-bytes", def: "1048576",
		help: "largest request body accepted by ordinary (non-upload) routes, in bytes",
		set: func(c *Config, v string) (err error) {
			c.MaxRequestBytes, err = positiveBytes(v)
			return err
		}},
	{env: "TIPLINE_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "30s",
		help: "time in-flight requests get to finish on SIGINT/SIGTERM",
		set: func(c *Config, v string) (err error) {
			c.ShutdownTimeout, err = time.ParseDuration(v)
			if err != nil || c.ShutdownTimeout < 0 {
				return errors.New("must be a duration such as 30s")
			}
			return nil
		}},
	{env: "TIPLINE_STARTUP_TIMEOUT", flag: "startup-timeout", def: "3m",
		help: "how long serve waits at start for a database or blob store that is not reachable yet, retrying with growing pauses, before it gives up naming which",
		set: func(c *Config, v string) (err error) {
			c.StartupTimeout, err = positiveDuration(v)
			return err
		}},
	{env: "TIPLINE_PEPPER", flag: "pepper", shown: "TIPLINE_DATA_DIR/pepper (made on first use)",
		help:   "server secret (64 hex digits) mixed into codename derivations; every app node needs the same one and it must not be stored in the database",
		secret: true,
		set: func(c *Config, v string) error {
			c.Pepper = v
			if v == "" {
				return nil
			}
			if b, err := hex.DecodeString(v); err != nil || len(b) < 32 {
				return errors.New("must be at least 64 hex digits (32 bytes), e.g. from: openssl rand -hex 32")
			}
			return nil
		}},
	{env: "TIPLINE_QUESTIONNAIRE_DIR", flag: "questionnaire-dir", def: "",
		help: "folder of SLUG.json files that override desks' embedded questionnaires (empty: embedded only)",
		set:  func(c *Config, v string) error { c.QuestionnaireDir = v; return nil }},
	{env: "TIPLINE_MAX_FORM_UPLOAD_BYTES", flag: "max-form-upload-bytes", def: "524288000",
		help: "largest submission sent without JavaScript (encrypted by the server), in bytes",
		set: func(c *Config, v string) (err error) {
			c.MaxFormUpload, err = positiveBytes(v)
			return err
		}},
	{env: "TIPLINE_MAX_FILE_BYTES", flag: "max-file-bytes", def: "2147483648",
		help: "largest evidence file sent with JavaScript (encrypted in the browser), in bytes",
		set: func(c *Config, v string) (err error) {
			c.MaxFileBytes, err = positiveBytes(v)
			return err
		}},
	{env: "TIPLINE_UPLOAD_TIMEOUT", flag: "upload-timeout", def: "2h",
		help: "how long one upload request may take to arrive (Tor is slow)",
		set: func(c *Config, v string) (err error) {
			c.UploadTimeout, err = positiveDuration(v)
			return err
		}},
	{env: "TIPLINE_MAX_UPLOAD_SESSIONS", flag: "max-upload-sessions", def: "10000",
		help: "upload sessions (one per encrypted file of the JavaScript path) open at once over all desks; each lives at most 24 hours from its opening (less when idle, see upload-idle), and its opening costs a proof of work that grows with its declared size and as sessions near this cap",
		set: func(c *Config, v string) (err error) {
			c.MaxUploadSessions, err = positiveInt(v)
			return err
		}},
	{env: "TIPLINE_UPLOAD_MIN_RATE", flag: "upload-min-rate", def: "8192",
		help: "bytes per second an upload body must average once the grace period is over (slow clients are cut); 0 turns it off",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return errors.New("must be a number of bytes per second, 0 or more")
			}
			c.UploadMinRate = n
			return nil
		}},
	{env: "TIPLINE_UPLOAD_GRACE", flag: "upload-grace", def: "60s",
		help: "how long an upload body may wait for data before the minimum rate applies (Tor circuits being built)",
		set: func(c *Config, v string) (err error) {
			c.UploadGrace, err = positiveDuration(v)
			return err
		}},
	{env: "TIPLINE_UPLOAD_IDLE", flag: "upload-idle", def: "30m",
		help: "an upload session of the JavaScript path that goes this long (up to twice as long) without a new chunk stored is removed with its chunks; keep it above the time one 8 MiB chunk takes at the minimum rate",
		set: func(c *Config, v string) (err error) {
			c.UploadIdle, err = positiveDuration(v)
			return err
		}},
	{env: "TIPLINE_ONION_ADDRESS", flag: "onion-address", def: "",
		help: "host name of the intake onion service (xxx.onion); sets the Onion-Location header",
		set: func(c *Config, v string) error {
			c.OnionAddress = v
			if v != "" && (!strings.HasSuffix(v, ".onion") || strings.ContainsAny(v, "/:")) {
				return errors.New("must be a host name ending in .onion, without scheme or port")
			}
			return nil
		}},
	{env: "TIPLINE_PENDING_MAX_AGE", flag: "pending-max-age", def: "24h",
		help: "time after it was last written that the janitor removes a blob of a submission that was not committed (at its first sweep after that); keep it above TIPLINE_UPLOAD_TIMEOUT, or the janitor may remove a file of a submission still arriving; incomplete S3 multipart uploads older than this are aborted too",
		set: func(c *Config, v string) (err error) {
			c.PendingMaxAge, err = positiveDuration(v)
			return err
		}},
	{env: "TIPLINE_JANITOR_INTERVAL", flag: "janitor-interval", def: "15m",
		help: "time between two sweeps of the janitor, the first when serve starts; with several app nodes one sweeps at a time",
		set: func(c *Config, v string) (err error) {
			c.JanitorInterval, err = positiveDuration(v)
			return err
		}},
	{env: "TIPLINE_DISK_MIN_FREE", flag: "disk-min-free", def: "268435456",
		help: "embedded default: free bytes under the blob folder and the SQLite database below which /readyz answers 503 and staff see \"disk nearly full\" (default 256 MiB)",
		set: func(c *Config, v string) (err error) {
			c.DiskMinFree, err = positiveBytes(v)
			return err
		}},
	{env: "TIPLINE_DESK_HOURLY_LIMIT", flag: "desk-hourly-limit", def: "120",
		help: "soft limit: committed submissions per desk per hour (counted in the database across app nodes) after which further ones are still accepted but flagged \"received during a flood\", and the JavaScript proof of work is 4 times harder",
		set: func(c *Config, v string) (err error) {
			c.DeskHourlyLimit, err = positiveInt(v)
			return err
		}},
	{env: "TIPLINE_TOTAL_HOURLY_LIMIT", flag: "total-hourly-limit", def: "600",
		help: "soft limit: committed submissions over all desks per hour after which further ones are flagged \"received during a flood\"",
		set: func(c *Config, v string) (err error) {
			c.TotalHourlyLimit, err = positiveInt(v)
			return err
		}},
	{env: "TIPLINE_PENDING_BYTES_BUDGET", flag: "pending-bytes-budget", def: "17179869184",
		help: "hard limit: bytes of uploads not yet committed (upload chunks and pending blobs of all sources together, tracked in the database); once reached, new tips are refused with \"storage is full\" until commits or the janitor free room (default 16 GiB)",
		set: func(c *Config, v string) (err error) {
			c.PendingBytesBudget, err = positiveBytes(v)
			return err
		}},
	{env: "TIPLINE_COMMITTED_BYTES_PER_HOUR", flag: "committed-bytes-per-hour", def: "8589934592",
		help: "hard limit: bytes of tips committed per hour over all desks; once reached, new tips are refused with \"storage is full\" until the next hour; nothing committed is ever deleted to make room (default 8 GiB)",
		set: func(c *Config, v string) (err error) {
			c.CommittedBytesPerHour, err = positiveBytes(v)
			return err
		}},
	{env: "TIPLINE_CHROMIUM", flag: "chromium", def: "",
		help: "path of the Chromium binary that prints award reports to PDF (empty: chromium on PATH)",
		set:  func(c *Config, v string) error { c.Chromium = v; return nil }},
	{env: "TIPLINE_CHROMIUM_URL", flag: "chromium-url", def: "",
		help: "DevTools address (ws://HOST:PORT or http://HOST:PORT) of a running headless Chromium that prints award reports, such as a chromedp/headless-shell container; when set, TIPLINE_CHROMIUM is not used",
		set: func(c *Config, v string) error {
			c.ChromiumURL = v
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "ws" && u.Scheme != "http") || u.Port() == "" || u.User != nil {
				return errors.New("must be ws://HOST:PORT or http://HOST:PORT (the browser's DevTools address)")
			}
			return nil
		}},
	{env: "TIPLINE_LOG_LEVEL", flag: "log-level", def: "info",
		help: "debug, info, warn or error",
		set: func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return errors.New("must be debug, info, warn or error")
		}},
}, notifySettings...)

// Load parses args (flags after the subcommand) on top of the environment read
// through getenv. It returns flag.ErrHelp after printing usage to out when -h
// or --help is given. Errors name the setting that is wrong.
func Load(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	fs := NewFlagSet(name, "", out)
	resolve := Bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return resolve()
}

// NewFlagSet returns a flag set for a command whose usage text shows synopsis
// (such as "SLUG --title TITLE"), the command's own flags and then every
// setting.
func NewFlagSet(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: tipline %s [flags] %s\n", name, synopsis)
		own := false
		fs.VisitAll(func(f *flag.Flag) {
			if isSetting(f.Name) {
				return
			}
			if !own {
				fmt.Fprintf(out, "\nFlags:\n")
				own = true
			}
			fmt.Fprintf(out, "  --%s\n      %s\n", f.Name, f.Usage)
		})
		fmt.Fprintln(out)
		Usage(out)
	}
	return fs
}

// Bind registers a flag for every setting on fs. After fs.Parse, the returned
// function resolves the Config: flag, else environment (or _FILE twin), else
// default.
func Bind(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	flags := make([]*string, len(settings))
	for i, s := range settings {
		flags[i] = fs.String(s.flag, "", s.help)
	}
	return func() (*Config, error) {
		setByFlag := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { setByFlag[f.Name] = true })
		c := &Config{}
		for i, s := range settings {
			v, source, err := lookup(s, getenv)
			if err != nil {
				return nil, err
			}
			if setByFlag[s.flag] {
				v, source = *flags[i], "--"+s.flag
			}
			if err := s.set(c, v); err != nil {
				return nil, fmt.Errorf("invalid %s (%s): %w", s.env, source, err)
			}
			if s.env == "TIPLINE_PEPPER" && source == s.env+"_FILE" {
				c.PepperFile = getenv(s.env + "_FILE")
			}
		}
		if c.DatabaseURL == "" {
			c.DatabaseURL = filepath.Join(c.DataDir, "tipline.db")
		}
		if c.BlobURL == "" {
			c.BlobURL = filepath.Join(c.DataDir, "blobs")
		}
		if err := c.checkNotify(); err != nil {
			return nil, err
		}
		if c.IntakeAddr == c.CaseworkAddr && !strings.HasSuffix(c.IntakeAddr, ":0") {
			return nil, errors.New("invalid TIPLINE_CASEWORK_ADDR: must differ from TIPLINE_INTAKE_ADDR (intake and casework never share an address)")
		}
		if c.MetricsAddr == c.IntakeAddr && !strings.HasSuffix(c.MetricsAddr, ":0") {
			return nil, errors.New("invalid TIPLINE_METRICS_ADDR: must differ from TIPLINE_INTAKE_ADDR (metrics are never served to sources)")
		}
		return c, nil
	}
}

// CheckPepperPlacement refuses, with PostgreSQL, a pepper read from a file
// inside DataDir, the made-on-first-use DataDir/pepper included: a backup
// of the data folder would then hold the pepper beside what it protects
// (with SQLite, the embedded default, both live there by design).
func (c *Config) CheckPepperPlacement() error {
	if t, err := database.ParseURL(c.DatabaseURL); err != nil || t.Dialect != database.Postgres {
		return nil
	}
	file := c.PepperFile
	if c.Pepper == "" {
		file = filepath.Join(c.DataDir, "pepper")
	}
	if file == "" || !inside(file, c.DataDir) {
		return nil
	}
	return fmt.Errorf("invalid TIPLINE_PEPPER: with PostgreSQL the pepper must not be a file inside TIPLINE_DATA_DIR (%s), "+
		"where one backup would hold it beside the data; set TIPLINE_PEPPER, or TIPLINE_PEPPER_FILE to a file elsewhere "+
		"(such as /run/secrets/tipline-pepper), the same on every app node", c.DataDir)
}

// inside reports whether path is dir or lies under it.
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return true // cannot tell: refuse rather than risk it
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func isSetting(flagName string) bool {
	for _, s := range settings {
		if s.flag == flagName {
			return true
		}
	}
	return false
}

// lookup returns a setting's value from the environment, its _FILE twin or the
// default, and where it came from.
func lookup(s setting, getenv func(string) string) (value, source string, err error) {
	v := getenv(s.env)
	if !s.secret {
		if v == "" {
			return s.def, "default", nil
		}
		return v, s.env, nil
	}
	file := getenv(s.env + "_FILE")
	switch {
	case v != "" && file != "":
		return "", "", fmt.Errorf("invalid %s: set either %s or %s_FILE, not both", s.env, s.env, s.env)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", "", fmt.Errorf("invalid %s_FILE: cannot read the file: %w", s.env, errors.Unwrap(err))
		}
		return strings.TrimRight(string(b), "\r\n"), s.env + "_FILE", nil
	case v != "":
		return v, s.env, nil
	}
	return s.def, "default", nil
}

// Usage prints every setting with its flag, environment variable and default.
func Usage(w io.Writer) {
	fmt.Fprintf(w, "Settings (every setting is an environment variable; a flag overrides it):\n")
	fmt.Fprintf(w, "Settings marked (secret) may also be read from a file named by VARIABLE_FILE.\n\n")
	for _, s := range settings {
		def := s.def
		if s.shown != "" {
			def = s.shown
		}
		secret := ""
		if s.secret {
			secret = " (secret)"
		}
		fmt.Fprintf(w, "  --%s, %s%s\n      %s\n      default: %s\n", s.flag, s.env, secret, s.help, def)
	}
}

func positiveBytes(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("must be a positive number of bytes")
	}
	return n, nil
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, errors.New("must be a positive whole number")
	}
	return n, nil
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("must be a positive duration such as 30s or 2h")
	}
	return d, nil
}

func nonEmpty(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func hostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("must be host:port, for example 127.0.0.1:8080")
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, "/ ") {
		return errors.New("has an invalid host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("has an invalid port")
	}
	return nil
}
