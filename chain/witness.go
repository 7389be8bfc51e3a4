package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tipline/tipline/blob"
)

// OutsidePrefix is where a Witness keeps its copies in the blob store: one
// blob per log and UTC day, anchors/LOG/YYYY-MM-DD, rewritten with the
// latest head of that day. Earlier days' blobs are never rewritten.
const OutsidePrefix = "anchors/"

// Witness copies the anchors of the database to the blob store, outside
// the database, and reads the copies back for Check. Each app node runs
// one (Run); several nodes write the same copies.
type Witness struct {
	Store  Store
	Blobs  blob.Store
	Key    *Key
	Now    func() time.Time
	Logger *slog.Logger
}

// ErrRolledBack is returned by Record when the anchor in the database is
// older than the copy outside it: someone rolled the log back. Record
// then leaves the copy as it is.
var ErrRolledBack = errors.New("chain: the anchor in the database is older than its copy outside")

// outsideCopy is the JSON of one copy.
type outsideCopy struct {
	Log       Name   `json:"log"`
	Seq       int64  `json:"seq"`
	EntryHash string `json:"entry_hash"`
	MAC       string `json:"mac"`
}

// Latest implements Outside: the copy of the latest day.
func (w *Witness) Latest(ctx context.Context, log Name) (Anchor, bool, error) {
	infos, err := w.Blobs.List(ctx, OutsidePrefix+string(log)+"/")
	if err != nil || len(infos) == 0 {
		return Anchor{}, false, err
	}
	r, err := w.Blobs.Get(ctx, infos[len(infos)-1].Key)
	if err != nil {
		return Anchor{}, false, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return Anchor{}, false, err
	}
	var c outsideCopy
	a := Anchor{Log: log} // an unreadable copy is returned zero, so that it fails Check's MAC test
	if err := json.Unmarshal(b, &c); err != nil {
		return a, true, nil
	}
	hash, herr := hex.DecodeString(c.EntryHash)
	mac, merr := hex.DecodeString(c.MAC)
	if c.Log != log || herr != nil || merr != nil || len(hash) != 32 || len(mac) != 32 {
		return a, true, nil
	}
	a.Head.Seq = c.Seq
	copy(a.Head.Hash[:], hash)
	copy(a.MAC[:], mac)
	return a, true, nil
}

// Check checks log's tail against its anchor in the database and the
// copy outside it (see Check).
func (w *Witness) Check(ctx context.Context, log Name) (Report, error) {
	return Check(ctx, w.Key, log, w.Store, w)
}

// Record copies each log's anchor outside the database when it is newer
// than the copy there. A log with entries and neither an anchor nor a copy
// (one from before anchors) has its head adopted first. An anchor older
// than its copy is not copied: Record returns ErrRolledBack.
func (w *Witness) Record(ctx context.Context) error {
	var errs []error
	for _, log := range Names {
		errs = append(errs, w.record(ctx, log))
	}
	return errors.Join(errs...)
}

func (w *Witness) record(ctx context.Context, log Name) error {
	copied, hasCopy, err := w.Latest(ctx, log)
	if err != nil {
		return err
	}
	if !hasCopy {
		if err := w.Store.AdoptChainHead(ctx, log); err != nil {
			return err
		}
	}
	anchor, ok, err := w.Store.ChainAnchor(ctx, log)
	switch {
	case err != nil:
		return err
	case !ok:
		if hasCopy {
			return fmt.Errorf("%w: %s has no anchor in the database", ErrRolledBack, log)
		}
		return nil
	case !w.Key.Valid(anchor):
		return fmt.Errorf("chain: the anchor of %s in the database does not verify", log)
	case hasCopy && anchor.Head.Seq < copied.Head.Seq:
		return fmt.Errorf("%w: %s: entry %d in the database, entry %d outside", ErrRolledBack, log, anchor.Head.Seq, copied.Head.Seq)
	case hasCopy && anchor.Head.Seq == copied.Head.Seq:
		if anchor.Head.Hash != copied.Head.Hash {
			return fmt.Errorf("%w: %s: entry %d differs from its copy outside", ErrRolledBack, log, anchor.Head.Seq)
		}
		return nil
	}
	b, err := json.Marshal(outsideCopy{Log: log, Seq: anchor.Head.Seq,
		EntryHash: hex.EncodeToString(anchor.Head.Hash[:]), MAC: hex.EncodeToString(anchor.MAC[:])})
	if err != nil {
		return err
	}
	key := OutsidePrefix + string(log) + "/" + w.Now().UTC().Format(time.DateOnly)
	_, err = w.Blobs.Put(ctx, key, bytes.NewReader(b))
	return err
}

// Run records at once and then every interval until ctx ends, logging
// failures; a rollback is logged as an error.
func (w *Witness) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := w.Record(ctx); err != nil && ctx.Err() == nil {
			w.Logger.Error("anchors of the hash-chained logs not copied outside the database", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
