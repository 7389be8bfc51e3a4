package casework

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipline/tipline"
)

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, password string
		ok             bool
	}{
		{"OK", "correct horse battery", true},
		{"ErrShortUnicode", "密码是一个很长的句子吧", false}, // 11 characters
		{"OKTwelveUnicode", "密码是一个很长的句子吧好", true},
		{"ErrShort", "short pass", false},
		{"ErrCommon", "password1234", false},
		{"ErrCommonCase", "QwertyUiop123", false},
		{"ErrLocalPart", "xx-anabelle-2024-xx", false},
		{"ErrLocalPartCase", "xx-ANABELLE-2024-xx", false},
		{"ErrTooLong", strings.Repeat("a", 1025), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.password, "Anabelle@example.org")
			if (err == nil) != tc.ok {
				t.Fatalf("got %v, want ok=%v", err, tc.ok)
			}
			if err != nil && tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("code %s, want invalid", tipline.ErrorCode(err))
			}
		})
	}
}

func TestCommonPasswordsLoaded(t *testing.T) {
	if n := len(commonPasswords); n < 300 {
		t.Errorf("%d common passwords, want at least 300", n)
	}
}

func TestPasswordHash(t *testing.T) {
	p := PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	h, err := hashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %s is not a PHC argon2id string with its parameters", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false} {
		if ok, err := verifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := verifyPassword("x", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA"); err == nil {
		t.Error("an argon2i hash was accepted")
	}
}

// TestDeriveSlots counts the derivations that run at once when 16 start
// together: never more than HashSlots, and every one runs.
func TestDeriveSlots(t *testing.T) {
	for _, slots := range []int{1, 2} {
		t.Run(fmt.Sprint(slots), func(t *testing.T) {
			s := &Staff{HashSlots: slots}
			var running, peak, ran atomic.Int32
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					err := s.derive(context.Background(), func() {
						n := running.Add(1)
						for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
						}
						runtime.Gosched() // let the others try to start meanwhile
						ran.Add(1)
						running.Add(-1)
					})
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := peak.Load(); got > int32(slots) {
				t.Errorf("%d derivations ran at once, want at most %d", got, slots)
			}
			if got := ran.Load(); got != 16 {
				t.Errorf("%d of 16 derivations ran", got)
			}
		})
	}
}

// TestDeriveWait: a derivation waiting for a slot gives up when its request
// is cancelled, or after HashWait, without running.
func TestDeriveWait(t *testing.T) {
	s := &Staff{HashSlots: 1, HashWait: time.Nanosecond}
	hold, held := make(chan struct{}), make(chan struct{})
	go s.derive(context.Background(), func() { close(held); <-hold })
	<-held
	defer close(hold)
	ran := false
	t.Run("ErrBusy", func(t *testing.T) {
		if err := s.derive(context.Background(), func() { ran = true }); !errors.Is(err, errHashBusy) || tipline.ErrorCode(err) != tipline.RateLimited {
			t.Errorf("got %v, want errHashBusy", err)
		}
	})
	t.Run("ErrCancelled", func(t *testing.T) {
		s.HashWait = time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.derive(ctx, func() { ran = true }); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	if ran {
		t.Error("a derivation ran without a slot")
	}
}
