// Command attacker is the hostile half of Tipline's flood drill (package
// internal/drill). It sends junk, invalid and abusive requests at full speed
// to a Tipline serving on loopback, from several workers per kind of attack
// (kinds.go), and prints what the server answered, per kind and outcome, as
// JSON on standard output when it stops.
//
// It stops by itself after -duration or after -max-requests requests,
// whichever comes first; with -stop-on-stdin also when its standard input
// closes, which is how the drill ends the flood once the real users are
// done. The attacks that send bulk (uploads, large posts) stop earlier, once
// -max-bytes of request bodies are sent; the others go on. It refuses any
// target that is not a loopback address.
//
//	go run ./internal/drill/attacker -intake http://127.0.0.1:8080 -casework http://127.0.0.1:8081 \
//		-staff-email ana@example.org -duration 10s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tipline/tipline/crypto"
)

// config holds the attacker's flags.
type config struct {
	intake, casework string // base URLs, loopback only
	desk             string // slug of the desk to attack
	staffEmail       string // a real staff email, for password guessing
	marker           string // text in every plaintext disguised as ciphertext
	duration         time.Duration
	maxRequests      int64
	maxBytes         int64
	workers          int           // workers per ordinary kind
	logins           int           // concurrent bogus staff logins
	slow             int           // slow clients
	slowLimit        time.Duration // a slow client held longer without being cut is "held-past-limit"
	files            int           // tiny files in one no-JavaScript post
	maxPowBits       int           // hardest proof of work still solved
	stopOnStdin      bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.intake, "intake", "", "base URL of the intake listener, http://127.0.0.1:PORT")
	flag.StringVar(&cfg.casework, "casework", "", "base URL of the casework listener, http://127.0.0.1:PORT")
	flag.StringVar(&cfg.desk, "desk", "export-controls", "slug of the desk to attack")
	flag.StringVar(&cfg.staffEmail, "staff-email", "", "a real staff email whose password the attacker guesses")
	flag.StringVar(&cfg.marker, "marker", "DRILL-PLAINTEXT", "text in every plaintext the attacker disguises as ciphertext")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "stop after this long at the latest")
	flag.Int64Var(&cfg.maxRequests, "max-requests", 200_000, "stop after this many requests")
	flag.Int64Var(&cfg.maxBytes, "max-bytes", 256<<20, "stop the attacks that send bulk (uploads, large posts) after this many bytes of request bodies")
	flag.IntVar(&cfg.workers, "workers", 1, "workers per kind of attack (staff logins and slow clients have their own flags)")
	flag.IntVar(&cfg.logins, "logins", 16, "concurrent bogus staff logins")
	flag.IntVar(&cfg.slow, "slow", 20, "slow clients holding upload requests open")
	flag.DurationVar(&cfg.slowLimit, "slow-limit", 0, "report slow clients the server let send for longer than this (0: no limit)")
	flag.IntVar(&cfg.files, "files", 3000, "tiny files in one no-JavaScript post")
	flag.IntVar(&cfg.maxPowBits, "max-pow-bits", 24, "hardest proof of work (leading zero bits) the attacker still solves")
	flag.BoolVar(&cfg.stopOnStdin, "stop-on-stdin", false, "also stop when standard input closes")
	flag.Parse()
	if err := run(cfg, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "attacker:", err)
		os.Exit(1)
	}
}

func run(cfg config, stdin io.Reader, stdout io.Writer) error {
	for _, target := range []string{cfg.intake, cfg.casework} {
		if err := loopback(target); err != nil {
			return err
		}
	}
	if cfg.staffEmail == "" {
		return errors.New("-staff-email is required")
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	ctx, stopSignals := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stopSignals()
	ctx, cancelTimeout := context.WithTimeoutCause(ctx, cfg.duration, errStop("duration"))
	defer cancelTimeout()
	if cfg.stopOnStdin {
		go func() {
			io.Copy(io.Discard, stdin)
			cancel(errStop("stdin"))
		}()
	}

	a := newAttacker(cfg, cancel)
	if err := a.prepare(ctx); err != nil {
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, k := range a.kinds() {
		for range k.workers {
			wg.Go(func() {
				for ctx.Err() == nil && !(k.bulk && a.bytesSpent()) {
					k.attempt(ctx)
				}
			})
		}
	}
	wg.Wait()
	<-ctx.Done() // the bulk attacks may have stopped early; the others stop here
	return a.report(time.Since(start), context.Cause(ctx), stdout)
}

// errStop names why the attack stopped.
type errStop string

func (e errStop) Error() string { return string(e) }

// loopback refuses a target that is not on this machine's loopback.
func loopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("target %q is not an http:// URL", target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing target %q: the attacker only attacks loopback addresses", target)
}

// attacker holds what every kind of attack shares: the client, the
// budgets and the tallies.
type attacker struct {
	cfg    config
	stop   context.CancelCauseFunc
	client *http.Client

	keyPackets []byte // real key packets to the desk's keys, the start of every disguised message

	requests    atomic.Int64
	bodyBytes   atomic.Int64
	powSolved   atomic.Int64
	powNanos    atomic.Int64
	noSizeField atomic.Bool // the server refused the "size" field of a new upload session
	manyFiles   []byte      // the body of form/many-files, made once
	manyFilesCT string
	mu          sync.Mutex
	tally       map[string]map[string]int // kind → outcome → count
}

func newAttacker(cfg config, stop context.CancelCauseFunc) *attacker {
	return &attacker{
		cfg:  cfg,
		stop: stop,
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:               nil, // loopback only, never through a proxy
				MaxIdleConnsPerHost: 256,
				DisableCompression:  true,
			},
			Timeout: 60 * time.Second,
			// The no-JavaScript pages answer with pages, not redirects; a
			// redirect is an outcome to count, not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		tally: map[string]map[string]int{},
	}
}

// prepare fetches the desk's keys, as a browser does, and makes the key
// packets that start every disguised message.
func (a *attacker) prepare(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.cfg.intake+"/api/v1/desks/"+a.cfg.desk, nil)
	if err != nil {
		return err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("fetching the desk: %w", err)
	}
	defer resp.Body.Close()
	var desk struct {
		Keys []struct {
			Armored string `json:"armored"`
		} `json:"keys"`
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching the desk: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&desk); err != nil {
		return fmt.Errorf("fetching the desk: %w", err)
	}
	var keys []*crypto.PublicKey
	for _, k := range desk.Keys {
		pk, err := crypto.ParsePublicKey([]byte(k.Armored), time.Now())
		if err != nil {
			return fmt.Errorf("desk key: %w", err)
		}
		keys = append(keys, pk)
	}
	w, packets, err := crypto.EncryptSplit(io.Discard, keys...)
	if err != nil {
		return err
	}
	w.Close()
	a.keyPackets = packets
	a.manyFilesCT, a.manyFiles = manyFilesForm(a.cfg.files)
	return nil
}

// take counts one more request, or stops the attack when the budget is
// spent; it reports whether the request may go.
func (a *attacker) take() bool {
	if a.requests.Add(1) > a.cfg.maxRequests {
		a.stop(errStop("max-requests"))
		return false
	}
	return true
}

// spend counts n more bytes of request body.
func (a *attacker) spend(n int64) { a.bodyBytes.Add(n) }

// bytesSpent reports whether the attacks that send bulk must stop.
func (a *attacker) bytesSpent() bool { return a.bodyBytes.Load() >= a.cfg.maxBytes }

// count tallies one outcome of a kind of attack.
func (a *attacker) count(kind, outcome string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.tally[kind]
	if m == nil {
		m = map[string]int{}
		a.tally[kind] = m
	}
	m[outcome]++
}

// Report is what the attacker prints: the drill reads it.
type Report struct {
	Seconds      float64                   `json:"seconds"`
	StoppedBy    string                    `json:"stopped_by"` // duration, stdin, max-requests or signal
	Requests     int64                     `json:"requests"`
	BodyBytes    int64                     `json:"body_bytes"`
	BytesSpent   bool                      `json:"bytes_spent"` // the bulk attacks stopped at -max-bytes
	PowSolved    int64                     `json:"pow_solved"`
	PowSeconds   float64                   `json:"pow_seconds"`   // time spent solving proofs of work, summed over the workers
	DeclaredSize bool                      `json:"declared_size"` // the server took the "size" of new upload sessions
	Kinds        map[string]map[string]int `json:"kinds"`         // kind → outcome (HTTP status or a word) → count
}

func (a *attacker) report(elapsed time.Duration, cause error, w io.Writer) error {
	stopped := "signal"
	var s errStop
	if errors.As(cause, &s) {
		stopped = string(s)
	}
	a.mu.Lock()
	kinds := a.tally
	a.mu.Unlock()
	r := Report{
		Seconds:      elapsed.Seconds(),
		StoppedBy:    stopped,
		Requests:     min(a.requests.Load(), a.cfg.maxRequests),
		BodyBytes:    a.bodyBytes.Load(),
		BytesSpent:   a.bytesSpent(),
		PowSolved:    a.powSolved.Load(),
		PowSeconds:   time.Duration(a.powNanos.Load()).Seconds(),
		DeclaredSize: !a.noSizeField.Load(),
		Kinds:        kinds,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// outcome names the result of a request: its status, or what went wrong.
func outcome(ctx context.Context, status int, err error) string {
	var ne net.Error
	switch {
	case err == nil:
		return strconv.Itoa(status)
	case ctx.Err() != nil:
		return "stopped"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "conn-error"
}
