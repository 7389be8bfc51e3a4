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

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
)

// An upload's chunks become its object in place. Each chunk is checked as
// it arrives (PutChunk), and what the check knows after it is kept beside
// it as a small blob, a chunkState: where the encrypted packet's length
// headers stand, the running SHA-256 of the message and, after chunk 0,
// the key packets. Chunk 0's blob holds the message from the encrypted
// packet's header on: its key packets go to the database at commit, as
// for every object. At commit, SubmitUploads reads only these states, checks
// that they chain and that the message is complete, and has the blob store
// join the chunk blobs into the pending blob (blob.Store.Compose): the
// body is neither read nor written by the program a second time.

// chunkState is what the check of an upload's message knows after one of
// its chunks.
type chunkState struct {
	Size   int64            `json:"size"`   // bytes of the chunk as it arrived
	Stored int64            `json:"stored"` // bytes of its blob: Size less chunk 0's key packets
	Prev   []byte           `json:"prev"`   // SHA-256 of the message before the chunk; empty for chunk 0
	SHA256 []byte           `json:"sha256"` // the SHA-256 state after the chunk (encoding.BinaryMarshaler)
	Body   crypto.BodyState `json:"body"`
	// Chunk 0 only: the key packets, and the encrypted packet's header and
	// first octet, to check the recipients again at commit.
	KeyPackets []byte `json:"key_packets,omitempty"`
	BodyStart  []byte `json:"body_start,omitempty"`
}

// chunkStateKey is the blob key of the state after chunk n of a session.
func chunkStateKey(id string, n int) string {
	return chunkKey(id, n) + "-state"
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

// loadChunkState reads the state after chunk n of a session. A missing
// state (the session was begun by an older version) ends the session:
// errUploadNotFound.
func (s *Service) loadChunkState(ctx context.Context, id string, n int) (chunkState, error) {
	rc, err := s.Blobs.Get(ctx, chunkStateKey(id, n))
	if errors.Is(err, blob.ErrNotFound) {
		return chunkState{}, errUploadNotFound
	}
	if err != nil {
		return chunkState{}, tipline.Wrap(tipline.Unavailable, err, errStoreDown)
	}
	defer rc.Close()
	var st chunkState
	if err := json.NewDecoder(rc).Decode(&st); err != nil {
		return chunkState{}, tipline.Wrap(tipline.Unavailable, fmt.Errorf("intake: chunk state %d: %w", n, err), errStoreDown)
	}
	return st, nil
}

// saveChunkState stores the state after chunk n of a session.
func (s *Service) saveChunkState(ctx context.Context, id string, n int, st chunkState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := s.Blobs.Put(ctx, chunkStateKey(id, n), bytes.NewReader(b)); err != nil {
		return tipline.Wrap(tipline.Unavailable, err, "The evidence store is not reachable. Please try again later.")
	}
	return nil
}

// errUploadChanged refuses a session whose chunks do not add up to one
// message: a chunk was replaced by a different one while the next
// arrived.
var errUploadChanged = tipline.Errorf(tipline.Invalid, "A chunk of an upload changed while it was sent. Please send your tip again.")

// composeUpload makes the complete session u one pending object: it checks
// from the chunks' states that they make one whole message to exactly the
// recipients (Invalid if not), then joins the chunk blobs into the pending
// blob. Only the states are read.
func (s *Service) composeUpload(ctx context.Context, u Upload, recipients []*crypto.PublicKey, kind string, position int) (Object, error) {
	keys := make([]string, len(u.Chunks))
	var stored int64
	var first, last chunkState
	var prev []byte
	for i, c := range u.Chunks {
		st, err := s.loadChunkState(ctx, u.ID, c.N)
		if err != nil {
			return Object{}, err
		}
		if st.Size != c.Size || !bytes.Equal(st.Prev, prev) {
			return Object{}, errUploadChanged
		}
		if prev, err = st.digest(); err != nil {
			return Object{}, err
		}
		if i == 0 {
			first = st
		}
		last = st
		keys[i] = chunkKey(u.ID, c.N)
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
	id := blob.NewKey("")
	info, err := s.Blobs.Compose(ctx, pendingPrefix+id, keys)
	switch {
	case errors.Is(err, blob.ErrNotFound):
		return Object{}, tipline.Wrap(tipline.Invalid, err, "A chunk of an upload is missing. Please send your tip again.")
	case err != nil:
		return Object{}, storeFailure(err)
	case info.Size != stored:
		s.Blobs.Delete(context.WithoutCancel(ctx), pendingPrefix+id)
		return Object{}, errUploadChanged
	}
	o := Object{ID: id, Kind: kind, Position: position, BlobKey: pendingPrefix + id, KeyPackets: first.KeyPackets, BodySize: info.Size}
	copy(o.SHA256[:], prev)
	return o, nil
}
