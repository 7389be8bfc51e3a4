package intake

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
)

// An upload's chunks become its object in place. A session opens an
// assembly in the blob store (blob.Store.BeginAssembly) for the object it
// will become, under the pending prefix, and keeps it beside its chunks'
// states (sessionAssembly). Each chunk is checked as it arrives (PutChunk)
// and stored as the next piece of the assembly; what the check knows
// after it is kept beside it as a small blob, a chunkState: where the
// encrypted packet's length headers stand, the running SHA-256 of the
// message and, after chunk 0, the key packets. Chunk 0's piece holds the
// message from the encrypted packet's header on: its key packets go to the
// database at commit, as for every object. At commit, SubmitUploads reads
// only these states, checks that they chain and that the message is
// complete, and has the store finish the assembly (on S3 the multipart
// upload of its chunks completes; a directory renames the file the
// chunks were appended to): the body is read or written again neither by
// the program nor by the store.

// sessionAssembly is the blob key under which a session keeps its
// assembly.
func sessionAssembly(id string) string {
	return sessionKey(id) + "assembly"
}

// beginAssembly opens the assembly of a new session and keeps it.
func (s *Service) beginAssembly(ctx context.Context, id string) error {
	a, err := s.Blobs.BeginAssembly(ctx, pendingPrefix+blob.NewKey(""))
	if err != nil {
		return storeFailure(err)
	}
	if err := s.saveSessionBlob(ctx, sessionAssembly(id), a); err != nil {
		s.Blobs.AbortAssembly(context.WithoutCancel(ctx), a)
		return err
	}
	return nil
}

// loadAssembly returns a session's assembly.
func (s *Service) loadAssembly(ctx context.Context, id string) (blob.Assembly, error) {
	var a blob.Assembly
	err := s.loadSessionBlob(ctx, sessionAssembly(id), &a)
	return a, err
}

// saveSessionBlob stores v as JSON in a small blob of a session.
func (s *Service) saveSessionBlob(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := s.Blobs.Put(ctx, key, bytes.NewReader(b)); err != nil {
		return storeFailure(err)
	}
	return nil
}

// loadSessionBlob reads the small blob of a session under key into v:
// ErrUploadGone when there is none (the session was begun by an older
// version, or half removed) or none that can be read, Unavailable when
// the store fails.
func (s *Service) loadSessionBlob(ctx context.Context, key string, v any) error {
	rc, err := s.Blobs.Get(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return ErrUploadGone
	}
	if err != nil {
		return tipline.Wrap(tipline.Unavailable, err, errStoreDown)
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUploadGone, key, err)
	}
	return nil
}

// chunkState is what the check of an upload's message knows after one of
// its chunks.
type chunkState struct {
	Size   int64            `json:"size"`   // bytes of the chunk as it arrived
	Stored int64            `json:"stored"` // bytes of its piece: Size less chunk 0's key packets
	End    int64            `json:"end"`    // bytes of the pieces up to and with this one
	Prev   []byte           `json:"prev"`   // SHA-256 of the message before the chunk; empty for chunk 0
	SHA256 []byte           `json:"sha256"` // the SHA-256 state after the chunk (encoding.BinaryMarshaler)
	Body   crypto.BodyState `json:"body"`
	// Chunk 0 only: the key packets, and the encrypted packet's header and
	// first octet, to check the recipients again at commit.
	KeyPackets []byte `json:"key_packets,omitempty"`
	BodyStart  []byte `json:"body_start,omitempty"`
}

// chunkStateKey is the blob key of the state after chunk n of a session;
// the zero padding keeps a listing in chunk order.
func chunkStateKey(id string, n int) string {
	return fmt.Sprintf("%s%08d-state", sessionKey(id), n)
}

// hash returns the running SHA-256 of the message after the chunk.
func (st chunkState) hash() (hash.Hash, error) {
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.SHA256); err != nil {
		return nil, fmt.Errorf("intake: chunk state: %w", err)
	}
	return h, nil
}

// digest returns the SHA-256 of the message up to the end of the chunk.
func (st chunkState) digest() ([]byte, error) {
	h, err := st.hash()
	if err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// loadChunkState reads the state after chunk n of a session.
func (s *Service) loadChunkState(ctx context.Context, id string, n int) (chunkState, error) {
	var st chunkState
	err := s.loadSessionBlob(ctx, chunkStateKey(id, n), &st)
	return st, err
}

// errUploadChanged refuses a session whose chunks do not add up to one
// message: a chunk was replaced by a different one while the next
// arrived.
var errUploadChanged = tipline.Errorf(tipline.Invalid, "A chunk of an upload changed while it was sent. Please send your tip again.")

// finishUpload makes the complete session u its pending object: it
// checks from the chunks' states that they make one whole message to
// exactly the recipients (Invalid if not), then has the store finish the
// session's assembly. Only the states are read. An assembly that an
// earlier attempt of the submission finished (it failed later, at commit)
// is taken as it is.
func (s *Service) finishUpload(ctx context.Context, u Upload, recipients []*crypto.PublicKey, kind string, position int) (Object, error) {
	sizes := make([]int64, len(u.Chunks))
	var stored int64
	var first, last chunkState
	var prev []byte
	for i, c := range u.Chunks {
		st, err := s.loadChunkState(ctx, u.ID, c.N)
		if err != nil {
			return Object{}, err
		}
		if st.Size != c.Size || !bytes.Equal(st.Prev, prev) || st.End != stored+st.Stored {
			return Object{}, errUploadChanged
		}
		if prev, err = st.digest(); err != nil {
			return Object{}, err
		}
		if i == 0 {
			first = st
		}
		last = st
		sizes[i] = st.Stored
		stored += st.Stored
	}
	// The message ends with its last chunk, and its key packets are still
	// for exactly the desk's keys, which may have changed since chunk 0.
	err := last.Body.End()
	if err == nil {
		start := io.MultiReader(bytes.NewReader(first.KeyPackets), bytes.NewReader(first.BodyStart))
		_, err = crypto.ReadMessageStart(bufio.NewReader(start), recipients...)
	}
	if err != nil {
		return Object{}, tipline.Wrap(tipline.Invalid, err, errNotCiphertext)
	}
	a, err := s.loadAssembly(ctx, u.ID)
	if err != nil {
		return Object{}, err
	}
	info, err := s.Blobs.FinishAssembly(ctx, a, sizes)
	if errors.Is(err, blob.ErrNotFound) {
		info, err = s.Blobs.Stat(ctx, a.Key) // finished by an earlier attempt, or gone
	}
	switch {
	case errors.Is(err, blob.ErrNotFound):
		return Object{}, tipline.Wrap(tipline.Invalid, err, "A chunk of an upload is missing. Please send your tip again.")
	case errors.Is(err, blob.ErrPieces):
		return Object{}, tipline.Wrap(tipline.Invalid, err, errUploadChanged.Message)
	case err != nil:
		return Object{}, storeFailure(err)
	case info.Size != stored:
		return Object{}, errUploadChanged
	}
	id := strings.TrimPrefix(a.Key, pendingPrefix)
	o := Object{ID: id, Kind: kind, Position: position, BlobKey: a.Key, KeyPackets: first.KeyPackets, BodySize: info.Size}
	copy(o.SHA256[:], prev)
	return o, nil
}
