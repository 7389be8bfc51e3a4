package intake

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/tipline/tipline/crypto"
)

// Without JavaScript a source's files arrive with the form. When some
// answers still need correcting, the files already received stay where
// they are, encrypted pending blobs, and the corrected form carries an
// opaque reference to them instead of asking for them again: over Tor, a
// second upload of hundreds of megabytes is what makes sources give up.
//
// The reference is the list of the files' objects and manifest entries,
// sealed under the pepper and bound to the desk: it lives only in the
// source's page, never at rest on the server. A reference that is never
// committed leaves its blobs to the janitor (SweepPending).

// keptFilesLabel is the Sealer label of kept-file references.
const keptFilesLabel = "tipline kept files v1"

// KeptFilesField is the name of the form's hidden field that carries a
// kept-file reference. Like every control of the page, it starts with "_",
// so Check never takes it for an answer.
const KeptFilesField = "_kept_files"

// KeptFiles are the files of a form that needed correcting, kept as
// encrypted pending blobs: Ref goes back with the corrected form, Names are
// shown to the source so that they know which files need not be attached
// again. The zero value means no files were kept.
type KeptFiles struct {
	Ref   string
	Names []string
}

// keptFile is one file of a kept-file reference.
type keptFile struct {
	Object Object       `json:"object"`
	File   ManifestFile `json:"file"`
}

// keep seals the submission's files into a reference for the corrected
// form. Its blobs are then the reference's: Abort leaves them alone.
func (b *ServerSubmission) keep() (KeptFiles, error) {
	if len(b.objects) == 0 {
		return KeptFiles{}, nil
	}
	files := make([]keptFile, len(b.objects))
	names := make([]string, len(b.objects))
	for i, o := range b.objects {
		files[i] = keptFile{Object: o, File: b.files[i]}
		names[i] = b.files[i].Name
		b.kept = append(b.kept, o.ID)
	}
	plain, err := json.Marshal(files)
	if err != nil {
		return KeptFiles{}, err
	}
	sealer, err := b.svc.Pepper.Sealer(keptFilesLabel)
	if err != nil {
		return KeptFiles{}, err
	}
	sealed := sealer.Seal(plain, []byte(b.desk.Slug))
	clear(plain)
	return KeptFiles{Ref: base64.RawURLEncoding.EncodeToString(sealed), Names: names}, nil
}

// AddKept takes back the files of a kept-file reference from an earlier
// form of the same desk. A file that is no longer there (the janitor
// removed it, or a submission already holds it) and a reference that does
// not open are noted, and Commit asks the source to attach the files again.
func (b *ServerSubmission) AddKept(ctx context.Context, ref string) error {
	sealer, err := b.svc.Pepper.Sealer(keptFilesLabel)
	if err != nil {
		return err
	}
	files, ok := openKept(sealer, ref, b.desk.Slug)
	if !ok {
		b.lostKept = true
		return nil
	}
	for _, f := range files {
		if len(b.files) >= MaxSubmissionFiles {
			return ErrTooManyFiles
		}
		_, committed, err := b.svc.Store.ObjectCommitted(ctx, f.Object.ID)
		if err != nil {
			return err
		}
		if _, err := b.svc.Blobs.Stat(ctx, pendingPrefix+f.Object.ID); committed || err != nil || f.Object.BlobKey != pendingPrefix+f.Object.ID {
			b.lostKept = true
			continue
		}
		b.objects = append(b.objects, f.Object)
		b.files = append(b.files, f.File)
		b.kept = append(b.kept, f.Object.ID)
	}
	return nil
}

// openKept opens a kept-file reference of a desk.
func openKept(sealer *crypto.Sealer, ref, desk string) ([]keptFile, bool) {
	sealed, err := base64.RawURLEncoding.DecodeString(ref)
	if err != nil {
		return nil, false
	}
	plain, err := sealer.Open(sealed, []byte(desk))
	if err != nil {
		return nil, false
	}
	defer clear(plain)
	var files []keptFile
	return files, json.Unmarshal(plain, &files) == nil
}

// keptLost returns the error to show on the files field when files of a
// kept-file reference were not found, or nil.
func (b *ServerSubmission) keptLost() *FieldError {
	filesField, ok := b.q.FilesField()
	if !b.lostKept || !ok {
		return nil
	}
	return &FieldError{Field: filesField.ID, Message: message("error_kept_files_lost")}
}

// isKept reports whether an object belongs to a kept-file reference.
func (b *ServerSubmission) isKept(o Object) bool { return slices.Contains(b.kept, o.ID) }
