package intake

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// A lost answer after a commit (a Tor circuit that drops while the codename
// page is on its way) must not cost the source their codename. The form
// carries a retry token, 32 random bytes that only the source's browser
// holds (templates render a fresh one into every form; nothing keeps it).
// The first request that brings a token claims it; when it commits, the
// server keeps, in memory only, the receipt sealed with a key derived from
// the token itself, under the token's keyed hash (crypto.Pepper.RetryKey).
// A retry with the same token within RetryTTL gets the same receipt back
// instead of committing again or failing; a retry while the first request
// is still committing waits for it. After RetryTTL the sealed receipt is
// forgotten and the token, remembered as used for a day, is refused with
// ErrRetryExpired: it never commits a second submission.
//
// Nothing of this is at rest: no row records when a token was used, and a
// memory image without the token cannot open a kept receipt. Each node
// keeps its own tokens, so a retry that a load balancer sends to another
// node, or one after a restart, is an ordinary submission.
const (
	// RetryTTL is how long a retry gets the same codename page.
	RetryTTL = 15 * time.Minute
	// retryUsedTTL is how long a used token is refused after RetryTTL.
	retryUsedTTL = 24 * time.Hour
	// retryClaimTTL ends a claim whose request never committed nor gave up.
	retryClaimTTL = time.Hour
)

// retrySealLabel names the sealer of kept receipts, keyed by the token.
const retrySealLabel = "tipline retry receipt v1"

// ErrRetryExpired refuses a retry token that committed a submission more
// than RetryTTL ago: its codename cannot be shown again.
var ErrRetryExpired = tipline.Errorf(tipline.Conflict, "This form was sent already, and its codename cannot be shown again.")

// retryEntry is what a node remembers of one token.
type retryEntry struct {
	done      chan struct{} // closed once the claiming request has finished
	claimed   time.Time
	sealed    []byte    // the receipt, sealed with the token; nil while pending, dropped after RetryTTL
	committed time.Time // zero until the claim committed
}

// retryTokens are the tokens of one node.
type retryTokens struct {
	mu      sync.Mutex
	entries map[[32]byte]*retryEntry
	pruned  time.Time // when prune last looked at every entry
}

// RetryClaim is a request's hold on its retry token: Finish records what
// came of it. A nil claim (no token sent) does nothing.
type RetryClaim struct {
	svc   *Service
	key   [32]byte
	token []byte
	entry *retryEntry
}

// keptReceipt is what a kept receipt holds: what the codename page shows.
type keptReceipt struct {
	Codename    string `json:"c"`
	Submission  string `json:"s"`
	ReceivedDay string `json:"d"`
	EncryptedBy string `json:"e"`
}

func newKeptReceipt(r *Receipt) keptReceipt {
	return keptReceipt{Codename: r.Codename.Reveal(), Submission: r.SubmissionID, ReceivedDay: r.ReceivedDay, EncryptedBy: r.EncryptedBy}
}

func (k keptReceipt) receipt() (*Receipt, error) {
	c, err := crypto.ParseCodename(k.Codename)
	if err != nil {
		return nil, err
	}
	return &Receipt{Codename: c, SubmissionID: k.Submission, ReceivedDay: k.ReceivedDay, EncryptedBy: k.EncryptedBy}, nil
}

// BeginRetry claims a retry token (64 hex digits) for a submission about
// to be received. It returns the receipt of an earlier commit with the
// same token (within RetryTTL), ErrRetryExpired after that, or a claim to
// Finish once the submission has committed or failed. A request with no
// token, or with one that is not 64 hex digits, gets a nil claim and is
// received as any other: no tip is refused over its token.
func (s *Service) BeginRetry(ctx context.Context, token string) (*RetryClaim, *Receipt, error) {
	raw, err := hex.DecodeString(token)
	if err != nil || len(raw) != crypto.RetryTokenSize || crypto.Pepper(raw).Validate() != nil {
		return nil, nil, nil // the token also keys a sealer: all zeros is none
	}
	key := s.Pepper.RetryKey(raw)
	t := &s.retry
	for {
		t.mu.Lock()
		now := s.Now()
		t.prune(now)
		e, ok := t.entries[key]
		if !ok {
			e = &retryEntry{done: make(chan struct{}), claimed: now}
			if t.entries == nil {
				t.entries = map[[32]byte]*retryEntry{}
			}
			t.entries[key] = e
			t.mu.Unlock()
			return &RetryClaim{svc: s, key: key, token: raw, entry: e}, nil, nil
		}
		sealed, committed := e.sealed, e.committed
		t.mu.Unlock()
		select {
		case <-e.done:
		default:
			// The first request is still on its way: wait for it.
			select {
			case <-e.done:
				continue
			case <-ctx.Done():
				return nil, nil, tipline.Wrap(tipline.RateLimited, ctx.Err(), "The first sending of this form is still being received.")
			}
		}
		if committed.IsZero() {
			continue // it failed and was forgotten; claim again
		}
		if sealed == nil || now.Sub(committed) >= RetryTTL {
			return nil, nil, ErrRetryExpired
		}
		r, err := openKeptReceipt(raw, key, sealed)
		if err != nil {
			return nil, nil, err
		}
		return nil, r, nil
	}
}

// prune forgets what has expired, looking at most once a minute (entries
// live minutes to a day; a flood of submissions must not make every
// request scan them all); t.mu is held.
func (t *retryTokens) prune(now time.Time) {
	if now.Sub(t.pruned) < time.Minute {
		return
	}
	t.pruned = now
	for k, e := range t.entries {
		switch {
		case !e.committed.IsZero() && now.Sub(e.committed) >= retryUsedTTL:
			delete(t.entries, k)
		case !e.committed.IsZero() && now.Sub(e.committed) >= RetryTTL:
			e.sealed = nil
		case e.committed.IsZero() && now.Sub(e.claimed) >= retryClaimTTL:
			delete(t.entries, k) // its request never finished; waiters claim again
		}
	}
}

// Finish records the receipt of the claim's commit, or with nil that it
// did not commit, so that the token may be used again. Only the first call
// counts.
func (c *RetryClaim) Finish(r *Receipt) {
	if c == nil {
		return
	}
	t := &c.svc.retry
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-c.entry.done:
		return
	default:
	}
	if r == nil {
		if t.entries[c.key] == c.entry {
			delete(t.entries, c.key)
		}
	} else {
		c.entry.sealed = sealKeptReceipt(c.token, c.key, r)
		c.entry.committed = c.svc.Now()
	}
	close(c.entry.done)
}

func retrySealer(token []byte) *crypto.Sealer {
	sealer, err := crypto.Pepper(token).Sealer(retrySealLabel)
	if err != nil {
		panic(err) // unreachable: 32 random bytes and a constant label
	}
	return sealer
}

func sealKeptReceipt(token []byte, key [32]byte, r *Receipt) []byte {
	b, err := json.Marshal(newKeptReceipt(r))
	if err != nil {
		panic(err) // only strings
	}
	defer clear(b)
	return retrySealer(token).Seal(b, key[:])
}

func openKeptReceipt(token []byte, key [32]byte, sealed []byte) (*Receipt, error) {
	b, err := retrySealer(token).Open(sealed, key[:])
	if err != nil {
		return nil, err
	}
	defer clear(b)
	var k keptReceipt
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, err
	}
	return k.receipt()
}
