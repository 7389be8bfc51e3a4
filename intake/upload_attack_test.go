package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
)

// Reproduction 2 of issue 11: one cheap proof of work opened a session
// that took about 2 GiB, in any order, plaintext included, and lived as
// long as chunks kept arriving. These tests hold the limits in place.

func TestSizePowBits(t *testing.T) {
	for _, tt := range []struct {
		size int64
		want int
	}{
		{1, 0}, {8 << 20, 0}, {8<<20 + 1, 1}, {16 << 20, 1}, {16<<20 + 1, 2}, {32 << 20, 2}, {128 << 20, 2}, {2 << 30, 2},
	} {
		if got := intake.SizePowBits(tt.size); got != tt.want {
			t.Errorf("SizePowBits(%d) = %d, want %d", tt.size, got, tt.want)
		}
	}
}

// deskMessage returns a message of n random bytes encrypted to the default desk.
func deskMessage(t testing.TB, svc *intake.Service, n int) []byte {
	t.Helper()
	recipients, err := svc.Desks.Recipients(context.Background(), intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, n)
	rand.Read(plain)
	return encryptTo(t, plain, recipients...)
}

func encryptTo(t testing.TB, plain []byte, recipients ...*crypto.PublicKey) []byte {
	t.Helper()
	var msg bytes.Buffer
	w, err := crypto.Encrypt(&msg, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return msg.Bytes()
}

// assertGone fails unless the session and every chunk blob are gone, and
// its reservation of pending bytes with them. In a directory store, no
// assembly file may stay either: List does not show them.
func assertGone(t *testing.T, svc *intake.Service, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.Upload(ctx, id); tipline.ErrorCode(err) != tipline.NotFound {
		t.Errorf("refused session: %v, want NotFound", err)
	}
	if infos, _ := svc.Blobs.List(ctx, "uploads/"); len(infos) != 0 {
		t.Errorf("%d chunk blobs kept", len(infos))
	}
	if d, ok := svc.Blobs.(*blob.Dir); ok {
		if files, _ := os.ReadDir(filepath.Join(d.Root(), ".assembly")); len(files) != 0 {
			t.Errorf("%d assembly files kept", len(files))
		}
	}
	if n, err := svc.Store.PendingBytes(ctx); err != nil || n != 0 {
		t.Errorf("pending bytes = %d, %v; want 0", n, err)
	}
}

// assertNotStored fails when a file of svc's directory store, whatever
// its name, holds text.
func assertNotStored(t *testing.T, svc *intake.Service, text []byte) {
	t.Helper()
	filepath.WalkDir(svc.Blobs.(*blob.Dir).Root(), func(path string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, text) {
				t.Errorf("%s holds the plaintext", path)
			}
		}
		return nil
	})
}

// zeroBits counts the leading zero bits of SHA-256(token || counter).
func zeroBits(token string, counter uint64) int {
	sum := sha256.Sum256(append([]byte(token), strconv.FormatUint(counter, 10)...))
	n := 0
	for _, c := range sum {
		if c != 0 {
			return n + bits.LeadingZeros8(c)
		}
		n += 8
	}
	return n
}

func TestUploadSessionUnderAttack(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, _, _ := newTestService(t, d)
			svc.PowBits = 8
			msg := deskMessage(t, svc, 3*intake.MinChunkSize)
			size := int64(len(msg))
			chunk := func(n int) []byte {
				return msg[n*intake.MinChunkSize : min(len(msg), (n+1)*intake.MinChunkSize)]
			}
			open := func(t *testing.T, size int64) intake.Upload {
				t.Helper()
				u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, size, intake.MinChunkSize, solveUploadPow(t, svc, size))
				if err != nil {
					t.Fatal(err)
				}
				return u
			}

			t.Run("ErrNoPow", func(t *testing.T) {
				if _, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, size, intake.MinChunkSize, intake.Pow{}); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("no proof of work: %v, want Invalid", err)
				}
			})
			t.Run("ErrNoSize", func(t *testing.T) {
				if _, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, 0, 0, solveUploadPow(t, svc, 1)); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("no declared size: %v, want Invalid", err)
				}
				if _, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, 3<<30, 0, solveUploadPow(t, svc, 1)); tipline.ErrorCode(err) != tipline.TooLarge {
					t.Errorf("3 GiB declared: %v, want TooLarge", err)
				}
			})
			t.Run("ErrPowTooEasyForSize", func(t *testing.T) {
				const big = 1 << 30
				small := svc.NewUploadPowChallenge(ctx, intake.DefaultDeskSlug, 1<<20)
				need := svc.UploadPowBits(ctx, intake.DefaultDeskSlug, big)
				if small.Bits != 8 || need != 8+2 {
					t.Fatalf("difficulty = %d for 1 MiB and %d for 1 GiB, want 8 and 10", small.Bits, need)
				}
				// Counters good enough for a small upload, and for no more.
				tooEasy := intake.Pow{Token: small.Token}
				needEach := need - (small.Bits - small.SolutionBits)
				for counter := uint64(0); len(tooEasy.Counters) < small.Solutions; counter++ {
					if z := zeroBits(small.Token, counter); z >= small.SolutionBits && z < needEach {
						tooEasy.Counters = append(tooEasy.Counters, counter)
					}
				}
				if _, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, big, 0, tooEasy); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("1 GiB with a small upload's work: %v, want Invalid", err)
				}
				full := intake.PowChallenge{Token: small.Token, Bits: need}.Solve()
				u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, big, 0, full)
				if err != nil {
					t.Fatalf("1 GiB with its work: %v", err)
				}
				removeAll(t, svc, u.ID)
			})
			t.Run("ErrMoreThanDeclared", func(t *testing.T) {
				u := open(t, intake.MinChunkSize+10)
				if _, err := svc.PutChunk(ctx, u.ID, 0, bytes.NewReader(chunk(0))); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.PutChunk(ctx, u.ID, 1, bytes.NewReader(chunk(1))); tipline.ErrorCode(err) != tipline.TooLarge {
					t.Errorf("chunk past the declared size: %v, want TooLarge", err)
				}
				if _, err := svc.PutChunk(ctx, u.ID, 2, bytes.NewReader(chunk(2))); tipline.ErrorCode(err) != tipline.TooLarge {
					t.Errorf("chunk after the declared size: %v, want TooLarge", err)
				}
				got, _ := svc.Upload(ctx, u.ID)
				if got.Bytes() != intake.MinChunkSize {
					t.Errorf("stored %d bytes, want the first chunk only", got.Bytes())
				}
				removeAll(t, svc, u.ID)
			})
			t.Run("ErrOutOfOrder", func(t *testing.T) {
				u := open(t, size)
				if _, err := svc.PutChunk(ctx, u.ID, 1, bytes.NewReader(chunk(1))); tipline.ErrorCode(err) != tipline.Conflict {
					t.Errorf("chunk 1 first: %v, want Conflict", err)
				}
				if got, err := svc.Upload(ctx, u.ID); err != nil || len(got.Chunks) != 0 {
					t.Errorf("out-of-order chunk stored: %+v, %v", got.Chunks, err)
				}
				for _, n := range []int{0, 0, 1} { // chunk 0 again: a retry after a lost answer
					if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk(n))); err != nil {
						t.Fatalf("chunk %d: %v", n, err)
					}
				}
				if _, err := svc.PutChunk(ctx, u.ID, 3, bytes.NewReader(chunk(3))); tipline.ErrorCode(err) != tipline.Conflict {
					t.Errorf("chunk 3 after 1: %v, want Conflict", err)
				}
				if _, err := svc.PutChunk(ctx, u.ID, 0, bytes.NewReader(chunk(0))); tipline.ErrorCode(err) != tipline.Conflict {
					t.Errorf("chunk 0 after 1: %v, want Conflict", err)
				}
				removeAll(t, svc, u.ID)
			})
			t.Run("NextWhileStored", func(t *testing.T) {
				// putAsync sends chunk n from r in the background.
				putAsync := func(id string, n int, r io.Reader) <-chan error {
					done := make(chan error, 1)
					go func() {
						_, err := svc.PutChunk(ctx, id, n, r)
						done <- err
					}()
					return done
				}
				// arriving starts chunk 0 of a new session, half sent, and
				// chunk 1 after it, which waits for chunk 0's end.
				arriving := func(t *testing.T) (u intake.Upload, first *io.PipeWriter, firstDone, next <-chan error) {
					t.Helper()
					u = open(t, size)
					pr, pw := io.Pipe()
					firstDone = putAsync(u.ID, 0, pr)
					if _, err := pw.Write(chunk(0)[:intake.MinChunkSize/2]); err != nil {
						t.Fatal(err)
					}
					next = putAsync(u.ID, 1, bytes.NewReader(chunk(1)))
					for !svc.ChunkWaits(u.ID) {
						select {
						case err := <-next:
							t.Fatalf("chunk 1 while chunk 0 arrives: %v, want it to wait", err)
						case <-time.After(time.Millisecond):
						}
					}
					return u, pw, firstDone, next
				}

				t.Run("Stored", func(t *testing.T) {
					u, first, firstDone, next := arriving(t)
					// Only the next chunk waits, and only one of it.
					for _, n := range []int{1, 2} {
						if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk(n))); tipline.ErrorCode(err) != tipline.Conflict {
							t.Errorf("chunk %d while chunk 1 waits: %v, want Conflict at once", n, err)
						}
					}
					if _, err := first.Write(chunk(0)[intake.MinChunkSize/2:]); err != nil {
						t.Fatal(err)
					}
					first.Close()
					if err := <-firstDone; err != nil {
						t.Fatalf("chunk 0: %v", err)
					}
					if err := <-next; err != nil {
						t.Fatalf("chunk 1 after chunk 0: %v", err)
					}
					for n := 2; n*intake.MinChunkSize < len(msg); n++ {
						if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk(n))); err != nil {
							t.Fatalf("chunk %d: %v", n, err)
						}
					}
					got, err := svc.Upload(ctx, u.ID)
					if err != nil || got.Bytes() != size {
						t.Errorf("stored %d of %d bytes, %v", got.Bytes(), size, err)
					}
					removeAll(t, svc, u.ID)
				})
				t.Run("BeforeStartsAfter", func(t *testing.T) {
					// The two requests passed each other on the way.
					u := open(t, size)
					next := putAsync(u.ID, 1, bytes.NewReader(chunk(1)))
					for !svc.ChunkWaits(u.ID) {
						select {
						case err := <-next:
							t.Fatalf("chunk 1 before chunk 0: %v, want it to wait", err)
						case <-time.After(time.Millisecond):
						}
					}
					if _, err := svc.PutChunk(ctx, u.ID, 0, bytes.NewReader(chunk(0))); err != nil {
						t.Fatalf("chunk 0: %v", err)
					}
					if err := <-next; err != nil {
						t.Fatalf("chunk 1, sent before chunk 0: %v", err)
					}
					removeAll(t, svc, u.ID)
				})
				t.Run("BeforeFails", func(t *testing.T) {
					u, first, firstDone, next := arriving(t)
					first.CloseWithError(errors.New("connection reset"))
					if err := <-firstDone; tipline.ErrorCode(err) != tipline.Invalid {
						t.Errorf("chunk 0 cut short: %v, want Invalid", err)
					}
					if err := <-next; tipline.ErrorCode(err) != tipline.Conflict {
						t.Errorf("chunk 1 after chunk 0 failed: %v, want Conflict", err)
					}
					// Nothing is lost: chunk 0 sent again, then chunk 1.
					for n := range 2 {
						if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk(n))); err != nil {
							t.Fatalf("chunk %d sent again: %v", n, err)
						}
					}
					removeAll(t, svc, u.ID)
				})
			})

			foreign, _, _, err := crypto.GenerateKey("Someone else", "", []byte("pw"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			foreignKey, err := crypto.ParsePublicKey(foreign, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			recipients, _ := svc.Desks.Recipients(ctx, intake.DefaultDeskSlug)
			line := "Shipment of 400 accelerators relabelled in Singapore. "
			plain := []byte(strings.Repeat(line, intake.MinChunkSize/len(line)+1))
			wrapped := append(bytes.Clone(msg[:32<<10]), plain...) // the desk's key packets, then plaintext
			for _, tt := range []struct {
				name   string
				chunks [][]byte
				bad    int // the chunk refused
			}{
				{"ErrPlaintextChunk0", [][]byte{plain[:intake.MinChunkSize]}, 0},
				{"ErrArmored", [][]byte{[]byte("-----BEGIN PGP MESSAGE-----\n\nwcBMA...")}, 0},
				{"ErrForeignKey", [][]byte{encryptTo(t, make([]byte, 1000), append(recipients[:len(recipients):len(recipients)], foreignKey)...)}, 0},
				{"ErrNotToTheDesk", [][]byte{encryptTo(t, make([]byte, 1000), foreignKey)}, 0},
				{"ErrPlaintextInPacket", [][]byte{wrapped[:intake.MinChunkSize]}, 0},
				{"ErrPlaintextLaterChunk", [][]byte{chunk(0), plain[:intake.MinChunkSize]}, 1},
				{"ErrPlaintextLastChunk", [][]byte{chunk(0), chunk(1), plain[:3000]}, 2},
			} {
				t.Run(tt.name, func(t *testing.T) {
					u := open(t, size)
					for n, c := range tt.chunks {
						_, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(c))
						if n < tt.bad && err != nil {
							t.Fatalf("chunk %d: %v", n, err)
						}
						if n == tt.bad && (tipline.ErrorCode(err) != tipline.Invalid || !errors.Is(err, crypto.ErrInvalidMessage)) {
							t.Fatalf("chunk %d: %v, want Invalid wrapping ErrInvalidMessage", n, err)
						}
					}
					assertGone(t, svc, u.ID)
					assertNotStored(t, svc, []byte(line))
				})
			}

			t.Run("LifetimeNotExtended", func(t *testing.T) {
				now := time.Now()
				svc.Now = func() time.Time { return now }
				defer func() { svc.Now = time.Now }()
				u := open(t, size)
				for n := range 3 {
					now = now.Add(7 * time.Hour) // a chunk every 7 hours
					if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk(n))); err != nil {
						t.Fatalf("chunk %d at +%dh: %v", n, 7*(n+1), err)
					}
				}
				now = now.Add(5 * time.Hour) // 26 hours after opening, 5 after the last chunk
				if _, err := svc.Upload(ctx, u.ID); tipline.ErrorCode(err) != tipline.NotFound {
					t.Errorf("session 26 h after opening: %v, want NotFound", err)
				}
				if _, err := svc.PutChunk(ctx, u.ID, 3, bytes.NewReader(chunk(3))); tipline.ErrorCode(err) != tipline.NotFound {
					t.Errorf("chunk 26 h after opening: %v, want NotFound", err)
				}
				if n, err := svc.SweepUploads(ctx); err != nil || n != 1 {
					t.Errorf("sweep removed %d, %v; want the session", n, err)
				}
				assertGone(t, svc, u.ID)
			})
			t.Run("SessionCap", func(t *testing.T) {
				svc.Uploads.MaxSessions = 2
				defer func() { svc.Uploads.MaxSessions = 0 }()
				a := open(t, 1)
				// The work does not rise as the cap nears: it would slow a
				// source's browser far more than an attacker's native solver.
				if got := svc.UploadPowBits(ctx, intake.DefaultDeskSlug, 1); got != 8 {
					t.Errorf("difficulty with 1 of 2 sessions open = %d, want the base 8", got)
				}
				b := open(t, 1)
				if _, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, 1, 0, solveUploadPow(t, svc, 1)); !errors.Is(err, intake.ErrTooManyUploads) {
					t.Errorf("third session with a cap of 2: %v, want ErrTooManyUploads", err)
				}
				if n, _ := svc.Store.PendingBytes(ctx); n != 0 {
					t.Errorf("pending bytes = %d, want 0: declared bytes that were never sent take no room", n)
				}
				removeAll(t, svc, a.ID, b.ID)
				removeAll(t, svc, open(t, 1).ID)
			})
			t.Run("PendingBudget", func(t *testing.T) {
				// Bytes count as they arrive, not as declared: sessions that
				// declare far more than the budget open, and the budget
				// refuses the chunk that would cross it, keeping the session
				// for that chunk to be sent again.
				svc.Limits.PendingBytes = 2 * intake.MinChunkSize
				defer func() { svc.Limits.PendingBytes = 0 }()
				u, v := open(t, size), open(t, size)
				for n := range 2 {
					if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk(n))); err != nil {
						t.Fatalf("chunk %d within the budget: %v", n, err)
					}
				}
				if got, _ := svc.Store.PendingBytes(ctx); got != 2*intake.MinChunkSize {
					t.Errorf("pending bytes = %d, want the %d stored", got, 2*intake.MinChunkSize)
				}
				if _, err := svc.PutChunk(ctx, v.ID, 0, bytes.NewReader(chunk(0))); !errors.Is(err, intake.ErrStorageFull) {
					t.Errorf("a chunk over the budget: %v, want ErrStorageFull", err)
				}
				if _, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, 1, 0, solveUploadPow(t, svc, 1)); !errors.Is(err, intake.ErrStorageFull) {
					t.Errorf("a new session with the budget exhausted: %v, want ErrStorageFull", err)
				}
				if got, _ := svc.Upload(ctx, v.ID); len(got.Chunks) != 0 {
					t.Errorf("refused chunk recorded: %+v", got.Chunks)
				}
				svc.Limits.PendingBytes = 3 * intake.MinChunkSize
				if _, err := svc.PutChunk(ctx, v.ID, 0, bytes.NewReader(chunk(0))); err != nil {
					t.Errorf("the refused chunk sent again once there is room: %v", err)
				}
				removeAll(t, svc, u.ID, v.ID)
			})
			t.Run("IdleSweep", func(t *testing.T) {
				// An abandoned session holds its bytes for one to two idle
				// periods, not for its whole lifetime; one that progresses,
				// or is being submitted, stays.
				now := time.Now()
				svc.Now = func() time.Time { return now }
				defer func() { svc.Now = time.Now }()
				svc.Uploads.IdleAfter = time.Minute
				defer func() { svc.Uploads.IdleAfter = 0 }()
				sweep := func(t *testing.T, want int) {
					t.Helper()
					now = now.Add(time.Minute)
					if n, err := svc.SweepIdleUploads(ctx); err != nil || n != want {
						t.Fatalf("idle sweep removed %d, %v; want %d", n, err, want)
					}
				}
				sweep(t, 0)
				abandoned, active, claimed := open(t, size), open(t, size), open(t, size)
				for _, id := range []string{abandoned.ID, active.ID, claimed.ID} {
					if _, err := svc.PutChunk(ctx, id, 0, bytes.NewReader(chunk(0))); err != nil {
						t.Fatal(err)
					}
				}
				if err := svc.Store.ClaimUploads(ctx, []string{claimed.ID}); err != nil {
					t.Fatal(err)
				}
				sweep(t, 0) // the first sweep to see them only notes their progress
				now = now.Add(-30 * time.Second)
				if n, err := svc.SweepIdleUploads(ctx); err != nil || n != 0 {
					t.Errorf("a second sweep within the idle period removed %d, %v; want nothing", n, err)
				}
				now = now.Add(30 * time.Second)
				if _, err := svc.PutChunk(ctx, active.ID, 1, bytes.NewReader(chunk(1))); err != nil {
					t.Fatal(err)
				}
				sweep(t, 1)
				if _, err := svc.Upload(ctx, abandoned.ID); tipline.ErrorCode(err) != tipline.NotFound {
					t.Errorf("abandoned session after a whole idle period: %v, want NotFound", err)
				}
				if _, err := svc.PutChunk(ctx, abandoned.ID, 1, bytes.NewReader(chunk(1))); tipline.ErrorCode(err) != tipline.NotFound {
					t.Errorf("a chunk to a removed session: %v, want NotFound", err)
				}
				if got, _ := svc.Upload(ctx, active.ID); len(got.Chunks) != 2 {
					t.Errorf("active session has %d chunks, want 2", len(got.Chunks))
				}
				want := int64(2*intake.MinChunkSize + intake.MinChunkSize) // active's two chunks, claimed's one
				if got, _ := svc.Store.PendingBytes(ctx); got != want {
					t.Errorf("pending bytes = %d, want %d: the abandoned session's released", got, want)
				}
				if err := svc.Store.ReleaseUploads(ctx, []string{claimed.ID}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.PutChunk(ctx, active.ID, 2, bytes.NewReader(chunk(2))); err != nil {
					t.Fatal(err)
				}
				sweep(t, 0) // released: counted as progress, the source retries now
				removeAll(t, svc, active.ID, claimed.ID)

				// Sending the last chunk again is no progress: holding a
				// session takes new bytes, not requests.
				last := (len(msg) - 1) / intake.MinChunkSize
				resender := open(t, size)
				for n := 0; n <= last; n++ {
					if _, err := svc.PutChunk(ctx, resender.ID, n, bytes.NewReader(chunk(n))); err != nil {
						t.Fatal(err)
					}
				}
				sweep(t, 0)
				if _, err := svc.PutChunk(ctx, resender.ID, last, bytes.NewReader(chunk(last))); err != nil {
					t.Fatalf("the last chunk sent again: %v", err)
				}
				sweep(t, 1)
				assertGone(t, svc, resender.ID)

				// A keep, paid with a proof of work of the session's size,
				// is progress: a browser keeps the session of a file it
				// sent whole while the tip's next files go up. Without
				// its proof of work, it is refused and counts nothing.
				kept := open(t, size)
				if _, err := svc.PutChunk(ctx, kept.ID, 0, bytes.NewReader(chunk(0))); err != nil {
					t.Fatal(err)
				}
				sweep(t, 0)
				if err := svc.KeepUpload(ctx, kept.ID, solveUploadPow(t, svc, size)); err != nil {
					t.Fatalf("keep: %v", err)
				}
				sweep(t, 0)
				// Keeps hold an eighth of the pending budget at most: they
				// cannot stand in for the bytes that holding the budget
				// otherwise takes.
				svc.Limits.PendingBytes = 8 * (intake.MinChunkSize - 1)
				if err := svc.KeepUpload(ctx, kept.ID, solveUploadPow(t, svc, size)); !errors.Is(err, intake.ErrKeepsFull) {
					t.Errorf("keep of a chunk beyond an eighth of the budget: %v, want ErrKeepsFull", err)
				}
				svc.Limits.PendingBytes = 0
				if err := svc.KeepUpload(ctx, kept.ID, solveUploadPow(t, svc, 1000)); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("keep with a proof of work for a smaller size: %v, want Invalid", err)
				}
				if err := svc.KeepUpload(ctx, kept.ID, intake.Pow{}); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("keep without a proof of work: %v, want Invalid", err)
				}
				sweep(t, 1)
				assertGone(t, svc, kept.ID)
				if err := svc.KeepUpload(ctx, kept.ID, solveUploadPow(t, svc, size)); !errors.Is(err, intake.ErrUploadGone) {
					t.Errorf("keep of a removed session: %v, want ErrUploadGone", err)
				}
			})
		})
	}
}

// removeAll removes upload sessions as a submission does once it is done.
func removeAll(t *testing.T, svc *intake.Service, ids ...string) {
	t.Helper()
	ctx := context.Background()
	now := svc.Now
	later := time.Now().Add(intake.UploadTTL + 2*time.Hour)
	svc.Now = func() time.Time { return later }
	defer func() { svc.Now = now }()
	if _, err := svc.SweepUploads(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		assertGone(t, svc, id)
	}
}
