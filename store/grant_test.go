package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestGrants stores a public key and a grant, replaces and deletes it, on
// both dialects.
func TestGrants(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			sub := submission(intake.DefaultDeskSlug)
			if _, err := s.Commit(ctx, sub, func(seq int64, prev [32]byte) []byte {
				return fmt.Appendf(nil, `{"v":1,"seq":%d,"prev":"%x"}`, seq, prev)
			}); err != nil {
				t.Fatal(err)
			}
			object := sub.Objects[0].ID
			rec := casework.AuditRecord{At: time.Now(), Action: "test"}
			var ids []int64
			for _, email := range []string{"a@example.org", "b@example.org"} {
				u, err := s.CreateUser(ctx, casework.User{Email: email, Role: casework.RoleInvestigator, PasswordHash: "x", TOTPSealed: []byte("sealed")}, rec)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, u.ID)
			}
			if err := s.SetUserPublicKey(ctx, "nobody@example.org", "key", rec); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("SetUserPublicKey(unknown) = %v, want NotFound", err)
			}
			if err := s.SetUserPublicKey(ctx, "b@example.org", "armored key", rec); err != nil {
				t.Fatal(err)
			}
			if id, key, err := s.UserPublicKey(ctx, "b@example.org"); err != nil || id != ids[1] || key != "armored key" {
				t.Errorf("UserPublicKey(b) = %d, %q, %v", id, key, err)
			}
			if _, key, err := s.UserPublicKey(ctx, "a@example.org"); err != nil || key != "" {
				t.Errorf("UserPublicKey(a) = %q, %v; want no key", key, err)
			}
			if p, err := s.GrantPacket(ctx, object, ids[1]); err != nil || p != nil {
				t.Errorf("GrantPacket before = %x, %v", p, err)
			}
			for _, packet := range [][]byte{{0xc1, 1}, {0xc1, 2}} { // the second replaces the first
				if err := s.PutGrant(ctx, casework.Grant{ObjectID: object, UserID: ids[1], KeyPacket: packet, GrantedBy: ids[0], CreatedAt: time.Now()}, rec); err != nil {
					t.Fatal(err)
				}
			}
			if p, err := s.GrantPacket(ctx, object, ids[1]); err != nil || !bytes.Equal(p, []byte{0xc1, 2}) {
				t.Errorf("GrantPacket = %x, %v; want c102", p, err)
			}
			list, err := s.SubmissionGrants(ctx, sub.ID)
			if err != nil || len(list) != 1 || list[0].ObjectID != object || list[0].Grantee != "b@example.org" || list[0].GrantedBy != "a@example.org" {
				t.Errorf("SubmissionGrants = %+v, %v", list, err)
			}
			if other, err := s.SubmissionGrants(ctx, "no-such-submission"); err != nil || len(other) != 0 {
				t.Errorf("SubmissionGrants(other) = %+v, %v", other, err)
			}
			if err := s.DeleteGrant(ctx, object, ids[1], rec); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteGrant(ctx, object, ids[1], rec); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("second DeleteGrant = %v, want NotFound", err)
			}
			if p, _ := s.GrantPacket(ctx, object, ids[1]); p != nil {
				t.Errorf("GrantPacket after delete = %x", p)
			}
		})
	}
}
