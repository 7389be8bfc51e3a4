// Package chain anchors Tipline's two hash-chained logs, the intake log
// (whose entries receipts name) and the staff audit log, so that losing
// their last entries is detected, not only changing one.
//
// A hash chain alone proves that no entry was changed or removed from the
// middle, but not that none was removed from the end: a log cut after
// entry 90 of 100 is still a valid chain of 90. So every append also
// records the new head (the last entry's sequence number and hash) twice,
// MAC'd with a key derived from the pepper:
//
//   - in the database (table chain_anchors, one row per log, written in
//     the append's own transaction). Against someone who deletes rows
//     without the pepper: a log that ends before its anchor, an anchored
//     entry that was rewritten, entries appended without the anchor being
//     moved, or an anchor they made up all fail Check.
//   - outside the database (an object per log and UTC day under anchors/
//     in the blob store, rewritten by each app node's Witness a few seconds
//     after the commit). Against someone with write access to the database
//     who rolls a log and its anchor row back together to an older state
//     (whose MAC is still valid): the outside copy names a later head.
//
// Neither protects against someone holding the pepper and write access to
// both the database and the blob store.
package chain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"

	"github.com/tipline/tipline/crypto"
)

// Name names a hash-chained log: its table.
type Name string

// The anchored logs.
const (
	Intake Name = "intake_log"
	Audit  Name = "audit_log"
)

// Names lists every anchored log.
var Names = []Name{Intake, Audit}

// Head is the last entry of a log: its sequence number and entry hash.
type Head struct {
	Seq  int64
	Hash [32]byte
}

// Anchor is a head of one log under the anchor MAC.
type Anchor struct {
	Log  Name
	Head Head
	MAC  [32]byte
}

// keyLabel derives the anchor key from the pepper as crypto.Sealer derives
// its keys (HMAC-SHA256(pepper, label)), under a label of its own.
const keyLabel = "tipline chain anchor key v1"

// Key makes and checks anchors. It holds a key derived from the pepper and
// prints only its name.
type Key struct {
	key []byte
}

// NewKey derives the anchor key from the pepper. Every app node has the
// same pepper and so the same key; changing the pepper makes every anchor
// fail to verify.
func NewKey(p crypto.Pepper) (*Key, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, p)
	m.Write([]byte(keyLabel))
	return &Key{key: m.Sum(nil)}, nil
}

// String returns "chain.Key", never the key.
func (k *Key) String() string { return "chain.Key" }

// GoString returns the same as String, so that %#v prints no key either.
func (k *Key) GoString() string { return k.String() }

// LogValue keeps the key out of structured logs.
func (k *Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Anchor returns the anchor of h as the head of log.
func (k *Key) Anchor(log Name, h Head) Anchor {
	return Anchor{Log: log, Head: h, MAC: k.mac(log, h)}
}

// Valid reports whether a's MAC is the one Anchor makes.
func (k *Key) Valid(a Anchor) bool {
	want := k.mac(a.Log, a.Head)
	return hmac.Equal(want[:], a.MAC[:])
}

// mac is HMAC-SHA256(key, log || 0x00 || seq (8 bytes, big-endian) || hash).
func (k *Key) mac(log Name, h Head) [32]byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(log))
	m.Write([]byte{0})
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(h.Seq)))
	m.Write(h.Hash[:])
	var sum [32]byte
	m.Sum(sum[:0])
	return sum
}

// String describes a head for people: "entry 12 (ab12cd34…)".
func (h Head) String() string {
	return fmt.Sprintf("entry %d (%x…)", h.Seq, h.Hash[:4])
}
