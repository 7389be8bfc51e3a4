package casework

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// Investigator documents of a case (issue 4, point 5): files the
// investigator's browser encrypts to the desk's keys, like a source's
// evidence. The server checks each upload is an OpenPGP message to exactly
// the desk's keys (the one validated path, intake.PutMessage), keeps its
// key packets in the database and streams its body to the blob store. The
// file's name, type, size and SHA-256 travel as a second, small message to
// the same keys (meta), so the server never holds a document's name.

// MaxDocumentMeta bounds the encrypted meta of a document.
const MaxDocumentMeta = 64 << 10

// documentsPrefix is where document bodies live in the blob store.
const documentsPrefix = "documents/"

// Document is a case document as lists show it.
type Document struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"` // staff email
	Size      int64     `json:"size"`   // of the encrypted body
	SHA256    string    `json:"sha256"` // of the whole message, as uploaded
	Meta      []byte    `json:"meta"`   // OpenPGP message (base64 in JSON): {"name","type","size","sha256"}
	CreatedAt time.Time `json:"created_at"`
}

// DocumentRecord is a document as stored: the key packets of the body and
// of the meta apart from them, as for tips' objects.
type DocumentRecord struct {
	Document
	CaseID         string
	AuthorID       int64
	BlobKey        string
	KeyPackets     []byte
	MetaKeyPackets []byte
	MetaBody       []byte
}

// DocumentStore keeps case documents. AddDocument appends rec to the audit
// log in the same transaction; AppendAudit records lists and downloads.
type DocumentStore interface {
	AuditAppender
	AddDocument(ctx context.Context, d DocumentRecord, rec AuditRecord) error
	// CaseDocuments lists a case's documents, oldest first.
	CaseDocuments(ctx context.Context, caseID string) ([]DocumentRecord, error)
	// DocumentRecord returns one document; NotFound when there is none.
	DocumentRecord(ctx context.Context, id string) (DocumentRecord, error)
}

// Documents is the service behind case documents. Who may see and change a
// case decides who may read and add its documents.
type Documents struct {
	Cases  *Cases
	Grants *Grants // trims downloads to the caller's key
	Store  DocumentStore
	Blobs  blob.Store
	// Recipients returns the keys a desk's material is encrypted to now.
	Recipients func(ctx context.Context, desk string) ([]*crypto.PublicKey, error)
}

// Add stores a document of the case id, uploaded by p: meta and body are
// OpenPGP messages to exactly the desk's keys (Invalid otherwise). Nothing
// is kept when anything fails.
func (s *Documents) Add(ctx context.Context, p Principal, id string, meta []byte, body io.Reader) (Document, error) {
	c, err := s.Cases.writable(ctx, p, id)
	if err != nil {
		return Document{}, err
	}
	keys, err := s.Recipients(ctx, c.Desk)
	if err != nil {
		return Document{}, err
	}
	if len(meta) == 0 || len(meta) > MaxDocumentMeta {
		return Document{}, tipline.Errorf(tipline.Invalid, "The document's meta must be an OpenPGP message of at most %d bytes.", MaxDocumentMeta)
	}
	var metaBody bytes.Buffer
	metaPackets, err := crypto.SplitMessage(bytes.NewReader(meta), &metaBody, keys...)
	if err != nil {
		if errors.Is(err, crypto.ErrInvalidMessage) {
			return Document{}, tipline.Wrap(tipline.Invalid, err, "The document's meta is not an OpenPGP message encrypted to this desk's keys.")
		}
		return Document{}, err
	}
	docID := blob.NewKey("")
	key := documentsPrefix + docID
	m, err := intake.PutMessage(ctx, s.Blobs, key, body, keys)
	if err != nil {
		return Document{}, err
	}
	now := s.Cases.Now()
	d := DocumentRecord{
		Document: Document{ID: docID, Author: p.Email, Size: m.BodySize, SHA256: hex.EncodeToString(m.SHA256[:]), Meta: meta, CreatedAt: now},
		CaseID:   c.ID, AuthorID: p.UserID, BlobKey: key, KeyPackets: m.KeyPackets,
		MetaKeyPackets: metaPackets, MetaBody: metaBody.Bytes(),
	}
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionDocumentAdd, Target: "case:" + c.ID,
		Detail: map[string]string{"document": docID}}
	if err := s.Store.AddDocument(ctx, d, rec); err != nil {
		s.Blobs.Delete(context.WithoutCancel(ctx), key)
		return Document{}, err
	}
	return d.Document, nil
}

// List returns the documents of a case p may see, each meta trimmed to the
// key packets for p's key. It is not audited: the case page lists them as
// part of its audited view; ViewList is the audited list.
func (s *Documents) List(ctx context.Context, p Principal, id string) ([]Document, error) {
	c, err := s.Cases.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	records, err := s.Store.CaseDocuments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	docs := make([]Document, len(records))
	for i, r := range records {
		own, err := s.Grants.OwnPackets(ctx, p, r.MetaKeyPackets)
		if err != nil {
			return nil, err
		}
		docs[i] = r.Document
		docs[i].Meta = append(own, r.MetaBody...)
	}
	return docs, nil
}

// ViewList is List recorded in the audit log; when the entry cannot be
// written it returns the error and no documents.
func (s *Documents) ViewList(ctx context.Context, p Principal, id string) ([]Document, error) {
	docs, err := s.List(ctx, p, id)
	if err != nil {
		return nil, err
	}
	rec := AuditRecord{At: s.Cases.Now(), Actor: p.UserID, Action: ActionDocumentList, Target: "case:" + id}
	if err := s.Store.AppendAudit(ctx, rec); err != nil {
		return nil, err
	}
	return docs, nil
}

// Open returns a document as a complete OpenPGP message with the key
// packets for p's key, and the case it belongs to, and records the
// download in the audit log; when the entry cannot be written it returns
// the error and nothing to read.
func (s *Documents) Open(ctx context.Context, p Principal, docID string) (io.ReadCloser, string, error) {
	notFound := tipline.Errorf(tipline.NotFound, "Document not found.")
	d, err := s.Store.DocumentRecord(ctx, docID)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return nil, "", notFound
	}
	if err != nil {
		return nil, "", err
	}
	if _, err := s.Cases.Get(ctx, p, d.CaseID); err != nil {
		return nil, "", notFound
	}
	packets, err := s.Grants.OwnPackets(ctx, p, d.KeyPackets)
	if err != nil {
		return nil, "", err
	}
	if len(packets) == 0 {
		return nil, "", tipline.Errorf(tipline.Forbidden, "This document is not encrypted to your key.")
	}
	r, err := s.Blobs.Get(ctx, d.BlobKey)
	if err != nil {
		return nil, "", tipline.Wrap(tipline.Unavailable, err, "The evidence store is not reachable. Please try again later.")
	}
	rec := AuditRecord{At: s.Cases.Now(), Actor: p.UserID, Action: ActionDocumentDownload, Target: "case:" + d.CaseID,
		Detail: map[string]string{"document": d.ID}}
	if err := s.Store.AppendAudit(ctx, rec); err != nil {
		r.Close()
		return nil, "", err
	}
	return struct {
		io.Reader
		io.Closer
	}{crypto.JoinMessage(packets, r), r}, d.CaseID, nil
}
