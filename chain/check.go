package chain

import (
	"context"
	"fmt"
)

// Store reads a log's head, its entries' hashes and its anchor in the
// database.
type Store interface {
	// ChainHead returns the last entry of log; ok is false when it is empty.
	ChainHead(ctx context.Context, log Name) (h Head, ok bool, err error)
	// ChainHash returns the entry hash of entry seq of log; ok is false when
	// there is no such entry.
	ChainHash(ctx context.Context, log Name, seq int64) (hash [32]byte, ok bool, err error)
	// ChainAnchor returns the anchor kept in the database for log; ok is
	// false when there is none.
	ChainAnchor(ctx context.Context, log Name) (a Anchor, ok bool, err error)
	// AdoptChainHead anchors the head of a log that has entries but no
	// anchor (one written before anchors existed); it does nothing when
	// the log is empty or already anchored.
	AdoptChainHead(ctx context.Context, log Name) error
}

// Outside reads the copy of a log's anchor kept outside the database.
type Outside interface {
	// Latest returns the latest copy for log; ok is false when there is none.
	Latest(ctx context.Context, log Name) (a Anchor, ok bool, err error)
}

// Report is what Check found about one log. A zero Seq means none: an
// empty log, no anchor, no outside copy.
type Report struct {
	Log       Name
	Last      Head // the log's last entry
	Anchored  Head // the anchor in the database
	Witnessed Head // the copy outside the database
	// Problems says in words what is wrong: truncation, rollback, a bad
	// MAC, entries nobody anchored. Empty when the log's tail holds.
	Problems []string
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Check compares log's last entry with its anchor in the database and,
// when outside is not nil, with the copy outside the database. It checks
// the tail only: the links of the chain are checked by the log's own
// verification (casework.VerifyAuditLog, intake.VerifyChain).
func Check(ctx context.Context, key *Key, log Name, store Store, outside Outside) (Report, error) {
	r := Report{Log: log}
	last, hasLast, err := store.ChainHead(ctx, log)
	if err != nil {
		return r, err
	}
	r.Last = last
	anchor, hasAnchor, err := store.ChainAnchor(ctx, log)
	if err != nil {
		return r, err
	}
	switch {
	case !hasAnchor && hasLast:
		r.add("the log has %d entries but no anchor: its anchor was removed, or its entries were written without Tipline", last.Seq)
	case hasAnchor && !key.Valid(anchor):
		r.add("the anchor in the database does not verify: it was changed without the pepper, or the pepper is not the one it was made with")
	case hasAnchor:
		r.Anchored = anchor.Head
		if err := r.holds(ctx, store, last, anchor.Head, "its anchor"); err != nil {
			return r, err
		}
		if last.Seq > anchor.Head.Seq {
			r.add("entries %d to %d are not anchored: they were written without Tipline's pepper, or after the log was cut short or changed", anchor.Head.Seq+1, last.Seq)
		}
	}
	if outside == nil {
		return r, nil
	}
	copied, ok, err := outside.Latest(ctx, log)
	switch {
	case err != nil:
		return r, err
	case !ok:
		return r, nil
	case copied.Log != log || !key.Valid(copied):
		r.add("the copy of the anchor outside the database does not verify")
		return r, nil
	}
	r.Witnessed = copied.Head
	if hasAnchor && copied.Head.Seq > anchor.Head.Seq {
		r.add("rolled back: the copy outside the database names entry %d, later than the anchor in the database (entry %d)", copied.Head.Seq, anchor.Head.Seq)
	}
	return r, r.holds(ctx, store, last, copied.Head, "the copy of its anchor outside the database")
}

// holds adds a problem unless the log still holds the anchored head:
// it ends no earlier, and the entry at the anchored position is the
// anchored one.
func (r *Report) holds(ctx context.Context, store Store, last, anchored Head, by string) error {
	if last.Seq < anchored.Seq {
		r.add("truncated: the log ends at entry %d, but %s names entry %d", last.Seq, by, anchored.Seq)
		return nil
	}
	hash, ok, err := store.ChainHash(ctx, r.Log, anchored.Seq)
	if err != nil {
		return err
	}
	if !ok || hash != anchored.Hash {
		r.add("entry %d is not the one %s names: the log was rolled back or rewritten", anchored.Seq, by)
	}
	return nil
}

func (r *Report) add(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}
