package store

import (
	"bytes"
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/database"
)

var _ chain.Store = (*Store)(nil)

// anchorRow is the head of one hash-chained log under the anchor MAC
// (migration 00020), moved in the transaction of every append.
type anchorRow struct {
	Chain     string `gorm:"primaryKey"`
	Seq       int64
	EntryHash []byte
	MAC       []byte `gorm:"column:mac"`
}

func (anchorRow) TableName() string { return "chain_anchors" }

// chainKeyPlugin carries the anchor key on a database handle, so that
// every Store on it anchors the logs it appends to.
type chainKeyPlugin struct{ key *chain.Key }

const chainKeyPluginName = "tipline chain anchor key"

func (chainKeyPlugin) Name() string              { return chainKeyPluginName }
func (chainKeyPlugin) Initialize(*gorm.DB) error { return nil }

// UseChainKey makes every Store on db anchor the intake and audit logs
// with key on each append (see package chain). Call it before the first
// append; a second call keeps the first key. Without it appends leave the
// anchors behind, which chain.Check reports as entries written without the
// pepper.
func UseChainKey(db *database.DB, key *chain.Key) error {
	if _, ok := db.Config.Plugins[chainKeyPluginName]; ok {
		return nil
	}
	return db.Use(chainKeyPlugin{key: key})
}

// chainKey returns the key given to UseChainKey, or nil.
func (s *Store) chainKey() *chain.Key {
	if p, ok := s.db.Config.Plugins[chainKeyPluginName].(chainKeyPlugin); ok {
		return p.key
	}
	return nil
}

// anchorHead moves the anchor of log to the entry seq with hash that
// was just appended after prev, inside tx, which holds the log's lock
// (chainTail). An anchor that does not name the entry before (the log was
// cut short, rolled back or written without the key since) stays where it
// is, so that the append does not hide what happened: chain.Check keeps
// reporting it. A log without an anchor gets one. Without a key it
// records nothing.
func (s *Store) anchorHead(tx *gorm.DB, log chain.Name, seq int64, prev, hash [32]byte) error {
	key := s.chainKey()
	if key == nil {
		return nil
	}
	a := key.Anchor(log, chain.Head{Seq: seq, Hash: hash})
	row := anchorRow{Chain: string(log), Seq: seq, EntryHash: hash[:], MAC: a.MAC[:]}
	var cur anchorRow
	switch err := tx.Where("chain = ?", row.Chain).Take(&cur).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return translate(tx.Create(&row).Error, "Log anchor")
	case err != nil:
		return translate(err, "Log anchor")
	case cur.Seq != seq-1 || !bytes.Equal(cur.EntryHash, prev[:]):
		return nil
	}
	err := tx.Model(&anchorRow{}).Where("chain = ?", row.Chain).
		Updates(map[string]any{"seq": row.Seq, "entry_hash": row.EntryHash, "mac": row.MAC}).Error
	return translate(err, "Log anchor")
}

// ChainHead implements chain.Store.
func (s *Store) ChainHead(ctx context.Context, log chain.Name) (chain.Head, bool, error) {
	var last struct {
		Seq       int64
		EntryHash []byte
	}
	err := s.db.WithContext(ctx).Table(string(log)).Select("seq, entry_hash").Order("seq DESC").Limit(1).Take(&last).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return chain.Head{}, false, nil
	}
	if err != nil {
		return chain.Head{}, false, translate(err, "Log")
	}
	h := chain.Head{Seq: last.Seq}
	copy(h.Hash[:], last.EntryHash)
	return h, true, nil
}

// ChainHash implements chain.Store.
func (s *Store) ChainHash(ctx context.Context, log chain.Name, seq int64) ([32]byte, bool, error) {
	var hash [32]byte
	var row struct{ EntryHash []byte }
	err := s.db.WithContext(ctx).Table(string(log)).Select("entry_hash").Where("seq = ?", seq).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return hash, false, nil
	}
	if err != nil {
		return hash, false, translate(err, "Log")
	}
	copy(hash[:], row.EntryHash)
	return hash, true, nil
}

// ChainAnchor implements chain.Store.
func (s *Store) ChainAnchor(ctx context.Context, log chain.Name) (chain.Anchor, bool, error) {
	var row anchorRow
	err := s.db.WithContext(ctx).Where("chain = ?", string(log)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return chain.Anchor{}, false, nil
	}
	if err != nil {
		return chain.Anchor{}, false, translate(err, "Log anchor")
	}
	a := chain.Anchor{Log: log, Head: chain.Head{Seq: row.Seq}}
	copy(a.Head.Hash[:], row.EntryHash)
	copy(a.MAC[:], row.MAC)
	return a, true, nil
}

// AdoptChainHead implements chain.Store.
func (s *Store) AdoptChainHead(ctx context.Context, log chain.Name) error {
	key := s.chainKey()
	if key == nil {
		return errors.New("store: no anchor key (UseChainKey)")
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		next, prev, err := s.chainTail(tx, string(log), "Log")
		if err != nil || next == 1 {
			return err
		}
		var n int64
		if err := tx.Model(&anchorRow{}).Where("chain = ?", string(log)).Count(&n).Error; err != nil || n > 0 {
			return translate(err, "Log anchor")
		}
		mac := key.Anchor(log, chain.Head{Seq: next - 1, Hash: prev}).MAC
		return translate(tx.Create(&anchorRow{Chain: string(log), Seq: next - 1, EntryHash: prev[:], MAC: mac[:]}).Error, "Log anchor")
	})
}
