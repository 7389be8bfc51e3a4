package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/tipline/tipline/intake"
)

// TestNoTimeFinerThanTheDayAtRest is the reproduction of issue 12's point 8:
// after a source submits without JavaScript, spends a proof of work, logs
// in to the mailbox and sends a follow-up (once while the blob store
// fails), nothing at rest tells the time of it finer than the UTC day.
// The database (every column of every table), the blob folder (file and
// folder times) and the receipt's signature are dated to the day; the
// intake log lines to the hour, with no id of a submission, object or blob.
func TestNoTimeFinerThanTheDayAtRest(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	g := addGPGKey(t, ts)
	sub, codename := submitForCodename(t, ts, noJSForm("rows"))

	// A proof of work spent as the JavaScript path spends it.
	challenge := ts.intake.NewPowChallenge(ctx, intake.DefaultDeskSlug)
	if err := ts.intake.CheckProofOfWork(ctx, intake.DefaultDeskSlug, challenge.Solve()); err != nil {
		t.Fatal(err)
	}

	// The mailbox: log in, then send follow-ups with a file.
	r := httptest.NewRequest(http.MethodPost, "/mailbox?lang=zh", strings.NewReader(url.Values{"codename": {codename}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := ts.do("intake", r)
	if w.Code != http.StatusOK || len(w.Result().Cookies()) != 1 {
		t.Fatalf("mailbox login = %d", w.Code)
	}
	cookie := w.Result().Cookies()[0]
	send := func() int {
		ctype, body := multipartBody(t, []formPart{{name: "message", value: "more"}, {name: "files", filename: "b.pdf", value: "bill"}})
		r := httptest.NewRequest(http.MethodPost, "/mailbox/messages?lang=zh", body)
		r.Header.Set("Content-Type", ctype)
		r.AddCookie(cookie)
		return ts.do("intake", r).Code
	}
	// A blob store fault names the pending blob in its cause: a file where
	// the pending folder should be.
	pending := filepath.Join(ts.blobDir, "pending")
	if err := os.RemoveAll(pending); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pending, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := send(); code != http.StatusServiceUnavailable {
		t.Errorf("follow-up while the blob store fails = %d, want 503", code)
	}
	if err := os.Remove(pending); err != nil {
		t.Fatal(err)
	}
	if code := send(); code != http.StatusOK {
		t.Fatalf("follow-up = %d\n%s", code, ts.log.String())
	}

	// The receipt is signed at 00:00 UTC of the received day, and GnuPG
	// accepts it.
	w = ts.get("intake", "/receipt/"+sub)
	if w.Code != http.StatusOK {
		t.Fatalf("receipt = %d", w.Code)
	}
	if at := signatureTime(t, w.Body.Bytes()); !isMidnight(at) {
		t.Errorf("the receipt is signed at %s, want 00:00 UTC of the received day", at)
	}
	g.Import([]byte(ts.intake.Receipts.PublicKey()))
	g.Verify(w.Body.Bytes())

	for _, finding := range fineTimesInDatabase(t, ts.db.SQL()) {
		t.Errorf("database: %s", finding)
	}
	for _, finding := range fineTimesInFolder(t, ts.blobDir) {
		t.Errorf("blob folder: %s", finding)
	}
	for _, finding := range fineIntakeLogLines(t, ts.log.String()) {
		t.Errorf("log: %s", finding)
	}
}

// signatureTime returns the creation time of a cleartext signature.
func signatureTime(t *testing.T, signed []byte) time.Time {
	t.Helper()
	block, _ := clearsign.Decode(signed)
	if block == nil {
		t.Fatal("the receipt is not a cleartext signed message")
	}
	p, err := packet.Read(block.ArmoredSignature.Body)
	if err != nil {
		t.Fatal(err)
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		t.Fatalf("the receipt's signature is a %T", p)
	}
	return sig.CreationTime.UTC()
}

func isMidnight(at time.Time) bool { return at.Equal(at.UTC().Truncate(24 * time.Hour)) }

// hourlyCounters are the tables whose rows count per hour over all
// sources (rate counters, spent proof-of-work tokens, reservations): their
// times may fall on any hour.
var hourlyCounters = map[string]bool{"rate_limits": true, "pending_bytes": true}

// adminTables hold what admins and the server did (desks, their keys, the
// receipt key), at the time they did it: nothing about a source.
var adminTables = map[string]bool{"desks": true, "desk_keys": true, "server_keys": true}

// fineTimesInDatabase reads every column of every table but adminTables
// and returns each value that reads as a time (Unix seconds from 2001 to
// 2100, or a date and time in text) finer than the day, or than the hour in
// hourlyCounters.
func fineTimesInDatabase(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'goose_db_version'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	textTime := regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?`)
	var findings []string
	for _, table := range tables {
		if adminTables[table] {
			continue
		}
		unit := 24 * time.Hour
		if hourlyCounters[table] {
			unit = time.Hour
		}
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range values {
				var at time.Time
				switch v := v.(type) {
				case int64:
					if v < 978307200 || v > 4102444800 {
						continue
					}
					at = time.Unix(v, 0).UTC()
				case string:
					m := textTime.FindString(v)
					if m == "" {
						continue
					}
					at, err = time.Parse("2006-01-02 15:04:05.999999999", strings.Replace(m, "T", " ", 1))
					if err != nil {
						at, _ = time.Parse("2006-01-02 15:04", strings.Replace(m, "T", " ", 1))
					}
				case time.Time:
					at = v.UTC()
				default:
					continue
				}
				if !at.Equal(at.Truncate(unit)) {
					findings = append(findings, fmt.Sprintf("%s.%s = %v (%s)", table, cols[i], v, at))
				}
			}
		}
		rows.Close()
	}
	return findings
}

// fineTimesInFolder returns every file or folder under root (root included)
// whose modification time, or for a file whose access time, is not 00:00
// UTC. (A folder's access time tells only when it was last listed.)
func fineTimesInFolder(t *testing.T, root string) []string {
	t.Helper()
	var findings []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		if at := time.Unix(st.Mtim.Unix()).UTC(); !isMidnight(at) {
			findings = append(findings, fmt.Sprintf("%s modified at %s", p, at))
		}
		if at := time.Unix(st.Atim.Unix()).UTC(); !de.IsDir() && !isMidnight(at) {
			findings = append(findings, fmt.Sprintf("%s read at %s", p, at))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return findings
}

// fineIntakeLogLines returns every log line, other than the casework
// listener's, whose time is finer than the hour or which holds an id of a
// submission, object or blob (26 lowercase base32 characters).
func fineIntakeLogLines(t *testing.T, log string) []string {
	t.Helper()
	id := regexp.MustCompile(`\b[a-z2-7]{26}\b`)
	var findings []string
	for line := range strings.SplitSeq(strings.TrimSpace(log), "\n") {
		var entry struct {
			Time     time.Time `json:"time"`
			Listener string    `json:"listener"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry.Listener == "casework" {
			continue
		}
		if !entry.Time.Equal(entry.Time.Truncate(time.Hour)) {
			findings = append(findings, "time finer than the hour: "+line)
		}
		if id.MatchString(line) {
			findings = append(findings, "an id: "+line)
		}
	}
	return findings
}
