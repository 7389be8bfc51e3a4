package intake

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// receiptKeyName names the receipt signing key among the server keys.
const receiptKeyName = "receipt-signing"

// LogStore reads the intake log and keeps server-wide keys.
type LogStore interface {
	// ServerKey returns a stored armored key; NotFound when there is none.
	ServerKey(ctx context.Context, name string) (string, error)
	// AddServerKey stores a key; Conflict when one of that name exists.
	AddServerKey(ctx context.Context, name, armored string) error
	// LogEntries returns the entries with from <= seq <= to, in order.
	LogEntries(ctx context.Context, from, to int64) ([]LogEntry, error)
	// LogEntryOf returns a submission's entry; NotFound when there is none.
	LogEntryOf(ctx context.Context, submissionID string) (LogEntry, error)
}

// ReceiptSigner signs receipts with the server's receipt key. The private
// key is stored in the database encrypted under a passphrase derived from
// the pepper, so a copy of the database alone cannot forge receipts.
type ReceiptSigner struct {
	key    *crypto.PrivateKey
	public *crypto.PublicKey
}

// LoadReceiptSigner reads the receipt key, making it on first use.
func LoadReceiptSigner(ctx context.Context, store LogStore, pepper crypto.Pepper) (*ReceiptSigner, error) {
	passphrase := receiptKeyPassphrase(pepper)
	armored, err := store.ServerKey(ctx, receiptKeyName)
	if tipline.ErrorCode(err) == tipline.NotFound {
		// Dated at the start of its day, so that a receipt of the same day
		// can be signed at 00:00 UTC too (see Sign).
		day := time.Now().UTC().Truncate(24 * time.Hour)
		_, private, _, gerr := crypto.GenerateKey("Tipline receipts", "", passphrase, day)
		if gerr != nil {
			return nil, gerr
		}
		err = store.AddServerKey(ctx, receiptKeyName, string(private))
		if tipline.ErrorCode(err) == tipline.Conflict {
			err = nil // another node made it first: use theirs
		}
		if err == nil {
			armored, err = store.ServerKey(ctx, receiptKeyName)
		}
	}
	if err != nil {
		return nil, err
	}
	key, err := crypto.ReadPrivateKey([]byte(armored), passphrase)
	if err != nil {
		return nil, fmt.Errorf("intake: receipt key (was the pepper changed?): %w", err)
	}
	public, err := key.PublicKey()
	if err != nil {
		return nil, err
	}
	return &ReceiptSigner{key: key, public: public}, nil
}

func receiptKeyPassphrase(pepper crypto.Pepper) []byte {
	mac := hmac.New(sha256.New, pepper)
	mac.Write([]byte("tipline receipt signing key v1"))
	return []byte(hex.EncodeToString(mac.Sum(nil)))
}

// PublicKey returns the armored public key that verifies receipts.
func (s *ReceiptSigner) PublicKey() string { return s.public.Armored }

// Sign returns the signed receipt text of a log entry. The signature is
// dated at 00:00 UTC of the received day, so it tells no more than the
// text does; a receipt key made later than that (on a server from before
// receipt keys were dated to the day) dates it at the key's making instead,
// which tells nothing about the source.
func (s *ReceiptSigner) Sign(e LogEntry) ([]byte, error) {
	signedAt, err := time.Parse(time.DateOnly, e.ReceivedDay)
	if err != nil {
		return nil, fmt.Errorf("intake: receipt of entry %d: %w", e.Seq, err)
	}
	if created := s.key.Created(); signedAt.Before(created) {
		signedAt = created
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "TIPLINE RECEIPT v1\n\n")
	fmt.Fprintf(&b, "This receipt proves that submission %s was received on %s (UTC)\n", e.SubmissionID, e.ReceivedDay)
	fmt.Fprintf(&b, "and recorded as entry %d of this server's hash-chained intake log.\n", e.Seq)
	fmt.Fprintf(&b, "It holds no content of the submission and not your codename.\n")
	fmt.Fprintf(&b, "Check it with `tipline receipt verify FILE` or `gpg --verify FILE`.\n\n")
	fmt.Fprintf(&b, "entry: %s\n", e.Payload)
	fmt.Fprintf(&b, "entry-sha256: %s\n", hex.EncodeToString(e.EntryHash[:]))
	return crypto.ClearSign(b.Bytes(), s.key, signedAt)
}

// SignedReceipt returns the signed receipt of a committed submission.
func (s *Service) SignedReceipt(ctx context.Context, submissionID string) ([]byte, error) {
	entry, err := s.Store.LogEntryOf(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	return s.Receipts.Sign(entry)
}

// Verification is the outcome of checking a receipt.
type Verification struct {
	SubmissionID string `json:"submission"`
	ReceivedDay  string `json:"received_day"`
	Seq          int64  `json:"seq"`
	EntrySHA256  string `json:"entry_sha256"`
	Signature    bool   `json:"signature_valid"`
	InLog        bool   `json:"in_log"`
	ChainIntact  bool   `json:"chain_intact"`
	// LogAnchored is set by the caller that checked the log's tail against
	// its anchors (chain.Check): it was not cut short or rolled back.
	LogAnchored bool   `json:"log_anchored"`
	Problem     string `json:"problem,omitempty"`
}

// VerifyReceipt checks a receipt's signature against signer, its entry
// against its stated hash, and the log: the entry must be there unchanged,
// and every link of the chain up to it must hold.
func VerifyReceipt(ctx context.Context, receipt []byte, signer *crypto.PublicKey, store LogStore) (Verification, error) {
	var v Verification
	text, err := crypto.VerifyClearSigned(receipt, signer)
	if err != nil {
		v.Problem = "the signature does not verify with the server's receipt key"
		return v, nil
	}
	v.Signature = true
	var payload, stated string
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "entry: "); ok {
			payload = p
		}
		if h, ok := strings.CutPrefix(line, "entry-sha256: "); ok {
			stated = h
		}
	}
	var entry struct {
		Seq         int64  `json:"seq"`
		Submission  string `json:"submission"`
		ReceivedDay string `json:"received_day"`
	}
	if payload == "" || json.Unmarshal([]byte(payload), &entry) != nil || entry.Seq < 1 {
		v.Problem = "the receipt has no readable log entry"
		return v, nil
	}
	v.SubmissionID, v.ReceivedDay, v.Seq, v.EntrySHA256 = entry.Submission, entry.ReceivedDay, entry.Seq, stated
	sum := sha256.Sum256([]byte(payload))
	if hex.EncodeToString(sum[:]) != stated {
		v.Problem = "the entry does not match its stated hash"
		return v, nil
	}
	entries, err := store.LogEntries(ctx, 1, entry.Seq)
	if err != nil {
		return v, err
	}
	if len(entries) == 0 || entries[len(entries)-1].Seq != entry.Seq {
		v.Problem = "the intake log has no such entry"
		return v, nil
	}
	last := entries[len(entries)-1]
	v.InLog = bytes.Equal(last.EntryHash[:], sum[:]) && string(last.Payload) == payload
	if !v.InLog {
		v.Problem = "the intake log holds a different entry at this position"
		return v, nil
	}
	if seq, err := VerifyChain(entries); err != nil {
		v.Problem = fmt.Sprintf("the intake log chain is broken at entry %d", seq)
		return v, nil
	}
	v.ChainIntact = true
	return v, nil
}

// ErrChainBroken means an intake log entry does not hash to its recorded
// hash or does not link to its predecessor.
var ErrChainBroken = errors.New("intake: intake log chain broken")

// VerifyChain checks consecutive entries starting at sequence 1 and returns
// the first broken one.
func VerifyChain(entries []LogEntry) (int64, error) {
	var prev [32]byte
	for i, e := range entries {
		var linked struct {
			Seq  int64  `json:"seq"`
			Prev string `json:"prev"`
		}
		ok := e.Seq == int64(i+1) &&
			sha256.Sum256(e.Payload) == e.EntryHash &&
			e.PrevHash == prev &&
			json.Unmarshal(e.Payload, &linked) == nil && linked.Seq == e.Seq && linked.Prev == hex.EncodeToString(prev[:])
		if !ok {
			return e.Seq, fmt.Errorf("%w at entry %d", ErrChainBroken, e.Seq)
		}
		prev = e.EntryHash
	}
	return 0, nil
}
