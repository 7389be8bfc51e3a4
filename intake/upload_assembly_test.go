package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
)

// sendChunks opens an upload session for msg with chunks of chunkSize
// bytes and sends them all; it returns the session's id.
func sendChunks(t testing.TB, svc *intake.Service, msg []byte, chunkSize int64) string {
	t.Helper()
	ctx := context.Background()
	size := int64(len(msg))
	pow := svc.NewUploadPowChallenge(ctx, intake.DefaultDeskSlug, size).Solve()
	u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, size, chunkSize, pow)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; len(msg) > 0; n++ {
		chunk := msg[:min(int64(len(msg)), chunkSize)]
		msg = msg[len(chunk):]
		if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(chunk)); err != nil {
			t.Fatalf("chunk %d: %v", n, err)
		}
	}
	return u.ID
}

// TestUploadBecomesObjectInPlace checks the object a browser upload
// becomes: its body is the message after the key packets, its key packets
// and size are the message's, and its SHA-256, computed chunk by chunk as
// they arrived, is that of the whole message as sent.
//
// On MinIO the chunks become the parts of a multipart upload; in a
// directory, they are appended to one file.
func TestUploadBecomesObjectInPlace(t *testing.T) {
	type test struct {
		name      string
		dialect   database.Dialect
		blobs     func(testing.TB) blob.Store
		chunkSize int64
	}
	var tests []test
	for _, d := range dbtest.Dialects {
		for _, chunkSize := range []int64{intake.MinChunkSize, intake.DefaultChunkSize} {
			tests = append(tests,
				test{fmt.Sprintf("%s/dir/%d", d, chunkSize), d, nil, chunkSize},
				test{fmt.Sprintf("%s/minio/%d", d, chunkSize), d, openTestBucket, chunkSize})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc, _, key := newTestService(t, tt.dialect)
			if tt.blobs != nil {
				svc.Blobs = tt.blobs(t)
			}
			manifest := deskMessage(t, svc, 100)
			file := deskMessage(t, svc, int(2*tt.chunkSize+123))
			r, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug,
				sendChunks(t, svc, manifest, tt.chunkSize), []string{sendChunks(t, svc, file, tt.chunkSize)},
				solvePow(t, svc), intake.CommitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for i, msg := range [][]byte{manifest, file} {
				o := r.Objects[i]
				keyPackets, body, err := splitMessage(svc, msg)
				if err != nil {
					t.Fatal(err)
				}
				rc, err := svc.Blobs.Get(ctx, o.BlobKey)
				if err != nil {
					t.Fatal(err)
				}
				stored, _ := io.ReadAll(rc)
				rc.Close()
				switch {
				case !bytes.Equal(o.KeyPackets, keyPackets):
					t.Errorf("object %d: key packets differ from the message's", i)
				case !bytes.Equal(stored, body) || o.BodySize != int64(len(body)):
					t.Errorf("object %d: body of %d bytes (recorded %d), want the message's %d after its key packets", i, len(stored), o.BodySize, len(body))
				case o.SHA256 != sha256.Sum256(msg):
					t.Errorf("object %d: SHA-256 %x, want %x, that of the message as sent", i, o.SHA256, sha256.Sum256(msg))
				}
				plain, err := crypto.Decrypt(crypto.JoinMessage(o.KeyPackets, bytes.NewReader(stored)), key)
				if err == nil {
					_, err = io.ReadAll(plain)
				}
				if err != nil {
					t.Errorf("object %d does not decrypt: %v", i, err)
				}
			}
		})
	}
}

// splitMessage returns the key packets and the body of msg, a message to
// the default desk of svc.
func splitMessage(svc *intake.Service, msg []byte) (keyPackets, body []byte, err error) {
	recipients, err := svc.Desks.Recipients(context.Background(), intake.DefaultDeskSlug)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	keyPackets, err = crypto.SplitMessage(bytes.NewReader(msg), &b, recipients...)
	return keyPackets, b.Bytes(), err
}

// TestUploadCheckedOnArrivalAndAtCommit checks where each part of the
// message check happens now that commit reads no chunk: data after the end
// of the encrypted packet is refused with the chunk that brings it; a
// message that ends too soon, a key packet missing for a key the desk
// gained since the first chunk, and chunks that do not follow on from each
// other are refused at commit, from the chunks' states. Nothing is
// committed, and the uploads are removed.
func TestUploadCheckedOnArrivalAndAtCommit(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t, dbtest.Dialects[0])
	chunk := int64(intake.MinChunkSize)
	msg := deskMessage(t, svc, int(3*chunk))
	extra := make([]byte, 5000)
	rand.Read(extra)

	t.Run("ErrTrailingData", func(t *testing.T) {
		bad := append(bytes.Clone(msg), extra...)
		pow := svc.NewUploadPowChallenge(ctx, intake.DefaultDeskSlug, int64(len(bad))).Solve()
		u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, int64(len(bad)), chunk, pow)
		if err != nil {
			t.Fatal(err)
		}
		last := (len(bad) - 1) / int(chunk)
		for n := 0; n <= last; n++ {
			_, err = svc.PutChunk(ctx, u.ID, n, bytes.NewReader(bad[int64(n)*chunk:min(int64(len(bad)), int64(n+1)*chunk)]))
			if err != nil {
				break
			}
		}
		if tipline.ErrorCode(err) != tipline.Invalid || !errors.Is(err, crypto.ErrInvalidMessage) {
			t.Errorf("last chunk with data after the message: %v, want Invalid wrapping ErrInvalidMessage", err)
		}
		assertGone(t, svc, u.ID)
	})

	refusedAtCommit := func(t *testing.T, file string) {
		t.Helper()
		manifest := sendChunks(t, svc, deskMessage(t, svc, 100), chunk)
		_, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, manifest, []string{file}, solvePow(t, svc), intake.CommitOptions{})
		if tipline.ErrorCode(err) != tipline.Invalid {
			t.Errorf("SubmitUploads: %v, want Invalid", err)
		}
		assertGone(t, svc, manifest)
		assertGone(t, svc, file)
		if infos, _ := svc.Blobs.List(ctx, "pending/"); len(infos) != 0 {
			t.Errorf("%d pending blobs kept", len(infos))
		}
	}
	t.Run("ErrTruncated", func(t *testing.T) {
		refusedAtCommit(t, sendChunks(t, svc, msg[:len(msg)-200], chunk))
	})
	t.Run("ErrChunkReplacedWhileTheNextArrived", func(t *testing.T) {
		// Two messages of the same length have their length headers at
		// the same places: chunk 1 of the other fits where chunk 1 was.
		other := deskMessage(t, svc, int(3*chunk))
		if len(other) != len(msg) {
			t.Fatalf("messages of %d and %d bytes", len(msg), len(other))
		}
		pow := svc.NewUploadPowChallenge(ctx, intake.DefaultDeskSlug, int64(len(msg))).Solve()
		u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, int64(len(msg)), chunk, pow)
		if err != nil {
			t.Fatal(err)
		}
		for n := range 2 {
			if _, err := svc.PutChunk(ctx, u.ID, n, bytes.NewReader(msg[int64(n)*chunk:int64(n+1)*chunk])); err != nil {
				t.Fatal(err)
			}
		}
		// Chunk 2 starts arriving, then chunk 1 is sent again, different.
		// The directory store makes chunk 1 wait for chunk 2 (then cuts
		// it off); S3 takes it at once.
		started, resume := make(chan struct{}), make(chan struct{})
		chunk2, again := make(chan error), make(chan error)
		go func() {
			r := &pausingReader{data: msg[2*chunk : 3*chunk], started: started, resume: resume}
			_, err := svc.PutChunk(ctx, u.ID, 2, r)
			chunk2 <- err
		}()
		<-started
		go func() {
			_, err := svc.PutChunk(ctx, u.ID, 1, bytes.NewReader(other[chunk:2*chunk]))
			again <- err
		}()
		waited := false
		select {
		case <-again:
		case <-time.After(time.Second):
			waited = true
		}
		close(resume)
		<-chunk2
		if waited {
			<-again
		}
		// However far the upload gets, it is refused, and nothing of it
		// is committed.
		if _, err := svc.PutChunk(ctx, u.ID, 3, bytes.NewReader(msg[3*chunk:])); err != nil {
			if tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("chunk 3: %v, want Invalid or no error", err)
			}
			assertGone(t, svc, u.ID)
			return
		}
		refusedAtCommit(t, u.ID)
	})
	t.Run("ErrDeskKeyAddedSince", func(t *testing.T) {
		file := sendChunks(t, svc, msg, chunk)
		pub, _, _, err := crypto.GenerateKey("Second desk key", "", []byte("pw"), svc.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Desks.AddKey(ctx, intake.DefaultDeskSlug, pub); err != nil {
			t.Fatal(err)
		}
		refusedAtCommit(t, file)
	})
}

// pausingReader reads its first byte, closes started, waits for resume,
// then reads the rest of data.
type pausingReader struct {
	data            []byte
	started, resume chan struct{}
	paused          bool
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	if !p.paused && len(b) > 0 {
		p.paused = true
		b[0] = p.data[0]
		p.data = p.data[1:]
		close(p.started)
		<-p.resume
		return 1, nil
	}
	n := copy(b, p.data)
	p.data = p.data[n:]
	return n, nil
}

// TestUploadCommitRefusedThenRetried: a commit refused after the sessions
// became their objects (the hour's committed bytes are spent) keeps the
// uploads and the objects; the source's retry takes the objects as they
// are, and commits them.
func TestUploadCommitRefusedThenRetried(t *testing.T) {
	for _, store := range []struct {
		name  string
		blobs func(testing.TB) blob.Store
	}{{"dir", nil}, {"minio", openTestBucket}} {
		t.Run(store.name, func(t *testing.T) {
			ctx := context.Background()
			svc, _, _ := newTestService(t, dbtest.Dialects[0])
			if store.blobs != nil {
				svc.Blobs = store.blobs(t)
			}
			file := deskMessage(t, svc, int(intake.MinChunkSize+500))
			manifest, upload := sendChunks(t, svc, deskMessage(t, svc, 100), intake.MinChunkSize), sendChunks(t, svc, file, intake.MinChunkSize)
			// A first tip spends the hour's committed bytes.
			svc.Limits.CommittedBytesPerHour = 1
			if _, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, sendChunks(t, svc, deskMessage(t, svc, 100), intake.MinChunkSize), nil, solvePow(t, svc), intake.CommitOptions{}); err != nil {
				t.Fatal(err)
			}
			spent, err := svc.Blobs.List(ctx, "pending/")
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.SubmitUploads(ctx, intake.DefaultDeskSlug, manifest, []string{upload}, solvePow(t, svc), intake.CommitOptions{})
			if !errors.Is(err, intake.ErrStorageFull) {
				t.Fatalf("SubmitUploads over the hour's bytes: %v, want ErrStorageFull", err)
			}
			if infos, err := svc.Blobs.List(ctx, "pending/"); err != nil || len(infos) != len(spent)+2 {
				t.Fatalf("pending blobs after the refused commit = %d, %v; want the first tip's and the two objects", len(infos), err)
			}
			svc.Limits.CommittedBytesPerHour = 0
			r, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, manifest, []string{upload}, solvePow(t, svc), intake.CommitOptions{})
			if err != nil {
				t.Fatalf("SubmitUploads again: %v", err)
			}
			_, body, err := splitMessage(svc, file)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := svc.Blobs.Get(ctx, r.Objects[1].BlobKey)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(stored, body) || r.Objects[1].SHA256 != sha256.Sum256(file) {
				t.Errorf("the committed file is not the message sent")
			}
			if infos, _ := svc.Blobs.List(ctx, "uploads/"); len(infos) != 0 {
				t.Errorf("%d blobs of the sessions left after the commit", len(infos))
			}
		})
	}
}

// TestUploadRefusedLeavesNoParts: on MinIO, a session refused at a chunk
// of plaintext after a good one leaves no multipart upload, and so no
// part of it, in the bucket (a listing of blobs would not show one).
func TestUploadRefusedLeavesNoParts(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t, dbtest.Dialects[0])
	svc.Blobs = openTestBucket(t)
	msg := deskMessage(t, svc, 2*intake.MinChunkSize)
	pow := svc.NewUploadPowChallenge(ctx, intake.DefaultDeskSlug, int64(len(msg))).Solve()
	u, err := svc.BeginUpload(ctx, intake.DefaultDeskSlug, int64(len(msg)), intake.MinChunkSize, pow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutChunk(ctx, u.ID, 0, bytes.NewReader(msg[:intake.MinChunkSize])); err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("Shipment of 400 accelerators relabelled in Singapore. "), intake.MinChunkSize/54)
	if _, err := svc.PutChunk(ctx, u.ID, 1, bytes.NewReader(plain)); !errors.Is(err, crypto.ErrInvalidMessage) {
		t.Fatalf("chunk of plaintext: %v, want ErrInvalidMessage", err)
	}
	left, err := svc.Blobs.(*blob.S3).AbortIncompleteUploads(ctx, time.Now().Add(time.Hour))
	if err != nil || left != 0 {
		t.Errorf("multipart uploads left after the refusal: %d, %v", left, err)
	}
}
