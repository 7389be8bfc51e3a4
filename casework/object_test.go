package casework_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// keyPacketsOpener opens every object as its key packets only, in place of
// the intake service, and counts what it opened.
type keyPacketsOpener struct{ opened int }

func (o *keyPacketsOpener) OpenObject(_ context.Context, obj intake.Object) (io.ReadCloser, error) {
	o.opened++
	return io.NopCloser(bytes.NewReader(obj.KeyPackets)), nil
}

// TestObjects: an object is there for whoever sees its submission and
// for no one else, whatever they ask of it; each download is audited;
// Readers lists the investigators of the desk.
func TestObjects(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	opener := &keyPacketsOpener{}
	triage := &casework.Triage{Store: f.st, Now: time.Now}
	objects := &casework.Objects{Triage: triage, Grants: &casework.Grants{Store: f.st, Now: time.Now}, Store: f.st, Bodies: opener, Now: time.Now}
	d, err := f.st.SubmissionDetail(ctx, f.subs[0])
	if err != nil {
		t.Fatal(err)
	}
	object := d.Objects[0].ID

	for name, want := range map[string]tipline.Code{"investigator": noError, "admin": noError, "other-desk": tipline.NotFound,
		"counsel": tipline.NotFound, "auditor": tipline.NotFound} {
		r, err := objects.Open(ctx, f.who[name], object)
		if code(err) != want {
			t.Errorf("%s opening: %v, want %s", name, err, want)
		}
		if err == nil {
			b, _ := io.ReadAll(r)
			r.Close()
			if !bytes.Equal(b, []byte{1}) {
				t.Errorf("%s read %x, want the object's key packets", name, b)
			}
		}
	}
	if _, err := objects.Open(ctx, f.who["investigator"], "nosuchobjectaaaaaaaaaaaaaa"); code(err) != tipline.NotFound {
		t.Errorf("unknown object: %v", err)
	}
	if opener.opened != 2 {
		t.Errorf("opened %d bodies, want 2", opener.opened)
	}
	entries, err := f.st.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	downloads := 0
	for _, e := range entries {
		if e.Record.Action == casework.ActionObjectDownload && e.Record.Target == "object:"+object {
			downloads++
		}
	}
	if downloads != 2 {
		t.Errorf("%d object.download entries, want 2", downloads)
	}

	// Someone who may not see the object learns nothing more from a bad
	// grant or a revocation than from a download.
	if err := objects.Grant(ctx, f.who["other-desk"], object, "colleague@example.org", bytes.Repeat([]byte{1}, casework.MaxGrantPacket+1)); code(err) != tipline.NotFound {
		t.Errorf("other desk granting: %v, want NotFound", err)
	}
	if err := objects.Revoke(ctx, f.who["other-desk"], object, "colleague@example.org"); code(err) != tipline.NotFound {
		t.Errorf("other desk revoking: %v, want NotFound", err)
	}
	if _, err := objects.RevokeAll(ctx, f.who["other-desk"], f.subs[0], "colleague@example.org"); code(err) != tipline.NotFound {
		t.Errorf("other desk revoking all: %v, want NotFound", err)
	}
	if err := objects.Grant(ctx, f.who["investigator"], object, "colleague@example.org", nil); code(err) != tipline.Invalid {
		t.Errorf("empty key packet: %v, want Invalid", err)
	}
	if err := objects.Revoke(ctx, f.who["investigator"], object, "colleague@example.org"); code(err) != tipline.NotFound {
		t.Errorf("revoking no grant: %v, want NotFound", err)
	}
	if n, err := objects.RevokeAll(ctx, f.who["investigator"], f.subs[0], "colleague@example.org"); err != nil || n != 0 {
		t.Errorf("revoking all of no grants = %d, %v", n, err)
	}

	readers, err := objects.Readers(ctx, f.who["investigator"], object)
	if err != nil {
		t.Fatal(err)
	}
	if len(readers) != 2 || readers[0].Email != "colleague@example.org" || readers[1].Email != "investigator@example.org" || readers[0].Known || readers[1].Known {
		t.Errorf("readers = %+v, want the desk's two investigators, neither with a key", readers)
	}
	if _, err := objects.Readers(ctx, f.who["other-desk"], object); code(err) != tipline.NotFound {
		t.Errorf("other desk's readers: %v, want NotFound", err)
	}
}
