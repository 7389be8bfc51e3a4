package intake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

// errConnRefused stands for the blob store's network error.
var errConnRefused = errors.New("dial tcp 127.0.0.1:9000: connect: connection refused")

// downStore is a blob store whose Put fails: at once, as minio-go does when
// it cannot start a multipart upload, or after reading its whole input
// (readFirst), as when the last part cannot be sent.
type downStore struct {
	blob.Store
	readFirst bool
}

func (d downStore) Put(ctx context.Context, key string, r io.Reader) (blob.Info, error) {
	if d.readFirst {
		io.Copy(io.Discard, r)
	}
	return blob.Info{}, fmt.Errorf("blob: put %s: %w", key, errConnRefused)
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestPutMessageFaults checks that PutMessage tells who failed: the store
// (Unavailable), the message (Invalid) or the reader it was given (its own
// error, for the caller to classify), and that nothing is left under the
// key in any case.
func TestPutMessageFaults(t *testing.T) {
	pub, _, _, err := crypto.GenerateKey("Desk", "", []byte("pw"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.ParsePublicKey(pub, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	w, _ := crypto.Encrypt(&msg, key)
	w.Write(bytes.Repeat([]byte("evidence "), 100_000))
	w.Close()
	half := msg.Bytes()[:msg.Len()/2]
	clientBroke := tipline.Errorf(tipline.Invalid, "The upload broke off.")
	boom := errors.New("boom")

	tests := []struct {
		name  string
		down  bool // the store is down
		first bool // and fails only after reading everything
		src   io.Reader
		code  tipline.Code
		is    error
	}{
		{"StoreDownAtOnce", true, false, bytes.NewReader(msg.Bytes()), tipline.Unavailable, errConnRefused},
		{"StoreFailsAtTheEnd", true, true, bytes.NewReader(msg.Bytes()), tipline.Unavailable, errConnRefused},
		{"NotCiphertext", false, false, strings.NewReader("plain words"), tipline.Invalid, crypto.ErrInvalidMessage},
		{"Truncated", false, false, bytes.NewReader(half), tipline.Invalid, crypto.ErrInvalidMessage},
		{"ReaderEndsEarly", false, false, &failingReader{half, io.ErrUnexpectedEOF}, tipline.Invalid, io.ErrUnexpectedEOF},
		{"ReaderFails", false, false, &failingReader{half, boom}, tipline.Internal, boom},
		{"ReaderFailsWithACode", false, false, &failingReader{half, clientBroke}, tipline.Invalid, clientBroke},
		{"ReaderFailsStoreDown", true, false, &failingReader{half, clientBroke}, tipline.Unavailable, errConnRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := blob.OpenDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var store blob.Store = dir
			if tt.down {
				store = downStore{Store: dir, readFirst: tt.first}
			}
			_, err = intake.PutMessage(context.Background(), store, "pending/x", tt.src, []*crypto.PublicKey{key})
			if tipline.ErrorCode(err) != tt.code || !errors.Is(err, tt.is) {
				t.Errorf("PutMessage = %v (%s), want %s wrapping %v", err, tipline.ErrorCode(err), tt.code, tt.is)
			}
			if infos, _ := dir.List(context.Background(), ""); len(infos) != 0 {
				t.Errorf("%d blobs left", len(infos))
			}
		})
	}
}

// TestStoreDown runs the service's paths with the store down: each says
// Unavailable, whatever it was writing or reading.
func TestStoreDown(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t, database.SQLite)
	up := svc.Blobs
	desk, err := svc.Desks.Recipients(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	w, _ := crypto.Encrypt(&msg, desk...)
	io.WriteString(w, "evidence")
	w.Close()
	u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, 1<<20, 0, solvePow(t, svc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutChunk(ctx, u.ID, 0, bytes.NewReader(msg.Bytes())); err != nil {
		t.Fatal(err)
	}
	manifest, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, 1<<20, 0, solvePow(t, svc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutChunk(ctx, manifest.ID, 0, bytes.NewReader(msg.Bytes())); err != nil {
		t.Fatal(err)
	}

	svc.Blobs = downStore{Store: up}
	t.Run("ServerSubmissionFile", func(t *testing.T) {
		sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Abort(ctx)
		if err := sub.AddFile(ctx, "a.pdf", "application/pdf", strings.NewReader("%PDF")); tipline.ErrorCode(err) != tipline.Unavailable {
			t.Errorf("AddFile = %v, want Unavailable", err)
		}
	})
	t.Run("ServerSubmissionCommit", func(t *testing.T) {
		sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
		if err != nil {
			t.Fatal(err)
		}
		sub.AddValue("narrative", "what happened")
		sub.AddValue("violation", "smuggling")
		sub.AddValue("knowledge", "first_hand")
		if _, err := sub.Commit(ctx, intake.EN); tipline.ErrorCode(err) != tipline.Unavailable {
			t.Errorf("Commit = %v, want Unavailable", err)
		}
	})
	t.Run("Chunk", func(t *testing.T) {
		if _, err := svc.PutChunk(ctx, u.ID, 0, bytes.NewReader(msg.Bytes())); tipline.ErrorCode(err) != tipline.Unavailable {
			t.Errorf("PutChunk = %v, want Unavailable", err)
		}
	})
	t.Run("ChunkReaderFails", func(t *testing.T) {
		svc.Blobs = downStore{Store: up, readFirst: true}
		defer func() { svc.Blobs = downStore{Store: up} }()
		_, err := svc.PutChunk(ctx, u.ID, 0, &failingReader{msg.Bytes()[:10], io.ErrUnexpectedEOF})
		if tipline.ErrorCode(err) != tipline.Invalid {
			t.Errorf("PutChunk with a reader that fails = %v, want Invalid", err)
		}
	})
	t.Run("SubmitUploads", func(t *testing.T) {
		svc.Blobs = brokenGets{downStore{Store: up}}
		defer func() { svc.Blobs = downStore{Store: up} }()
		_, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, manifest.ID, []string{u.ID}, solvePow(t, svc), intake.CommitOptions{})
		if tipline.ErrorCode(err) != tipline.Unavailable {
			t.Errorf("SubmitUploads = %v, want Unavailable", err)
		}
	})
	svc.Blobs = up
	if infos, _ := up.List(ctx, "pending/"); len(infos) != 0 {
		t.Errorf("%d pending blobs left", len(infos))
	}
	// The uploads stay for the source to retry, and the retry works.
	if _, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, manifest.ID, []string{u.ID}, solvePow(t, svc), intake.CommitOptions{}); err != nil {
		t.Errorf("SubmitUploads once the store is back: %v", err)
	}
}

// brokenGets is a store that cannot be read either.
type brokenGets struct{ blob.Store }

func (b brokenGets) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	return nil, fmt.Errorf("blob: get %s: %w", key, errConnRefused)
}

// TestIdentityMadeAhead: while a large file streams in, the source's
// codename is made ahead of the commit (see ServerSubmission.AddFile).
// Whatever the codename kind the source chose at the end of the form, the
// receipt's codename is of that kind and opens the tip's mailbox; a small
// tip gets its codename at commit as before.
func TestIdentityMadeAhead(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t, database.SQLite)
	for _, tt := range []struct {
		name    string
		size    int
		numeric bool
	}{
		{"SmallWords", 1 << 10, false},
		{"LargeWords", 17 << 20, false},
		{"LargeDigits", 17 << 20, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			sub.AddValue("narrative", "what happened")
			sub.AddValue("violation", "smuggling")
			sub.AddValue("knowledge", "first_hand")
			if err := sub.AddFile(ctx, "ledger.bin", "application/octet-stream", bytes.NewReader(make([]byte, tt.size))); err != nil {
				t.Fatal(err)
			}
			sub.ChooseNumericCodename(tt.numeric) // the form's last field
			r, err := sub.Commit(ctx, intake.EN)
			if err != nil {
				t.Fatal(err)
			}
			if r.Codename.Numeric() != tt.numeric {
				t.Errorf("codename numeric = %t, want %t", r.Codename.Numeric(), tt.numeric)
			}
			box, _, err := svc.OpenMailbox(ctx, r.Codename.Reveal())
			if err != nil {
				t.Fatalf("OpenMailbox with the receipt's codename: %v", err)
			}
			if box == nil {
				t.Fatal("no mailbox")
			}
		})
	}
}
