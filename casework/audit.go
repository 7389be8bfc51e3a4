package casework

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// AuditAction names what an audit entry records. Every action is a named
// constant of the package whose service writes it (casework, entities,
// claims); handlers never name one.
type AuditAction string

// Audit actions recorded by the staff service.
const (
	ActionUserAdd        AuditAction = "user.add"
	ActionUserDisable    AuditAction = "user.disable"
	ActionUserResetTOTP  AuditAction = "user.reset_totp"
	ActionPasswordChange AuditAction = "user.password_change"
	ActionLogin          AuditAction = "session.login"
	ActionLoginFailed    AuditAction = "session.login_failed"
	ActionLogout         AuditAction = "session.logout"
)

// Audit actions recorded by the triage, case, document, grant, object and
// reply services. Changes append theirs in the change's transaction;
// views append theirs before they hand anything out.
const (
	ActionSubmissionView   AuditAction = "submission.view"
	ActionSubmissionUpdate AuditAction = "submission.update"
	ActionObjectDownload   AuditAction = "object.download"

	ActionCaseCreate AuditAction = "case.create"
	ActionCaseList   AuditAction = "case.list"
	ActionCaseView   AuditAction = "case.view"
	ActionCaseUpdate AuditAction = "case.update"
	ActionCaseLink   AuditAction = "case.link"
	ActionCaseNote   AuditAction = "case.note"

	ActionDocumentList     AuditAction = "case.documents.list"
	ActionDocumentAdd      AuditAction = "case.document.add"
	ActionDocumentDownload AuditAction = "case.document.download"

	ActionSetKey      AuditAction = "user.set_key"
	ActionGrantCreate AuditAction = "grant.create"
	ActionGrantRevoke AuditAction = "grant.revoke"

	ActionReplyKeyView AuditAction = "reply_key.view"
	ActionReplyCreate  AuditAction = "reply.create"

	ActionAuditView AuditAction = "audit.view"
)

// AuditRecord is one staff action to append to the audit log. Actor is the
// acting user's id, or 0 for the command line and the system. Detail never
// holds tip content, passwords, codes or tokens.
type AuditRecord struct {
	At     time.Time
	Actor  int64
	Action AuditAction
	Target string
	Detail map[string]string
}

// auditPayload is the canonical JSON of an entry; its SHA-256 is the entry
// hash. Field order is fixed by the struct; map keys are sorted by
// encoding/json.
type auditPayload struct {
	Seq    int64             `json:"seq"`
	Prev   string            `json:"prev"`
	At     string            `json:"at"`
	Actor  int64             `json:"actor"`
	Action string            `json:"action"`
	Target string            `json:"target"`
	Detail map[string]string `json:"detail"`
}

// Payload returns the canonical JSON of r as entry seq after the entry
// whose hash is prev. Times are kept to the microsecond, the precision of
// PostgreSQL.
func (r AuditRecord) Payload(seq int64, prev [32]byte) []byte {
	detail := r.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	b, err := json.Marshal(auditPayload{
		Seq: seq, Prev: hex.EncodeToString(prev[:]), At: r.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		Actor: r.Actor, Action: string(r.Action), Target: r.Target, Detail: detail,
	})
	if err != nil {
		panic(err) // strings and an int64 always marshal
	}
	return b
}

// AuditEntry is one stored entry of the audit log: the record's columns and
// the payload its hash covers.
type AuditEntry struct {
	Seq       int64
	Record    AuditRecord
	Payload   []byte
	PrevHash  [32]byte
	EntryHash [32]byte
}

// AuditAppender appends one record to the audit log, in a transaction of
// its own. Services record audited views with it: a view whose entry
// cannot be written hands nothing out. Changes do not use it: their store
// methods take the record and append it in the change's transaction.
type AuditAppender interface {
	// AppendAudit appends one record at the end of the chain.
	AppendAudit(ctx context.Context, rec AuditRecord) error
}

// AuditStore appends to and reads the audit log.
type AuditStore interface {
	AuditAppender
	// AuditEntries returns up to limit entries with seq > after, in order.
	AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
}

// ErrAuditBroken means an audit entry does not hash to its recorded hash,
// does not link to its predecessor, or its columns differ from its payload.
var ErrAuditBroken = errors.New("casework: audit log chain broken")

// VerifyAudit checks consecutive entries that follow the entry with hash
// prev and sequence number seq-1 (zero hash and seq 1 for the whole log).
// It returns the hash of the last entry, or the sequence number of the first
// broken entry with ErrAuditBroken.
func VerifyAudit(entries []AuditEntry, seq int64, prev [32]byte) ([32]byte, int64, error) {
	for i, e := range entries {
		want := seq + int64(i)
		ok := e.Seq == want && e.PrevHash == prev && sha256.Sum256(e.Payload) == e.EntryHash &&
			bytes.Equal(e.Record.Payload(e.Seq, prev), e.Payload)
		if !ok {
			return prev, want, fmt.Errorf("%w at entry %d", ErrAuditBroken, want)
		}
		prev = e.EntryHash
	}
	return prev, 0, nil
}

// auditBatch is how many entries VerifyAuditLog reads at a time.
const auditBatch = 1000

// VerifyAuditLog checks the whole audit log. It returns the number of
// entries, or with ErrAuditBroken the sequence number of the first broken
// one.
func VerifyAuditLog(ctx context.Context, store AuditStore) (n int64, broken int64, err error) {
	var prev [32]byte
	for {
		entries, err := store.AuditEntries(ctx, n, auditBatch)
		if err != nil {
			return n, 0, err
		}
		if prev, broken, err = VerifyAudit(entries, n+1, prev); err != nil {
			return n, broken, err
		}
		n += int64(len(entries))
		if len(entries) < auditBatch {
			return n, 0, nil
		}
	}
}
