package crypto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// openpgpjsText is the plaintext of the messages in testdata/openpgpjs.
var openpgpjsText = []byte(strings.Repeat("OpenPGP.js test message\n", 3000))

// firstChunk returns the length of the header of the packet p starts with,
// and the length of its body or first chunk.
func firstChunk(tb testing.TB, body []byte) (headerLen int, chunkLen int64) {
	tb.Helper()
	r := bytes.NewReader(body)
	h, err := readHeader(r)
	if err != nil {
		tb.Fatal(err)
	}
	return len(h.raw), h.length
}

// contents returns the contents of the single packet in p, joining
// partial-length chunks.
func contents(tb testing.TB, p []byte) (tag byte, data []byte) {
	tb.Helper()
	r := bytes.NewReader(p)
	h, err := readHeader(r)
	if err != nil {
		tb.Fatal(err)
	}
	length, partial := h.length, h.partial
	for {
		chunk := make([]byte, length)
		if _, err := io.ReadFull(r, chunk); err != nil {
			tb.Fatal(err)
		}
		data = append(data, chunk...)
		if !partial {
			return h.tag, data
		}
		if length, partial, _, err = readLength(r, nil); err != nil {
			tb.Fatal(err)
		}
	}
}

// oldFormat returns a packet with an old-format header and a 4-octet
// length. Tags above 15 have no old format.
func oldFormat(tag byte, data []byte) []byte {
	p := []byte{0x80 | tag<<2 | 2, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(p[1:], uint32(len(data)))
	return append(p, data...)
}

// newFormat returns a packet with a new-format header and a 5-octet length.
func newFormat(tag byte, data []byte) []byte {
	p := []byte{0xc0 | tag, 255, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(p[2:], uint32(len(data)))
	return append(p, data...)
}

func cat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// TestSplitMessageAccepts checks messages from go-crypto, OpenPGP.js and
// hand-made framings that all OpenPGP tools read.
func TestSplitMessageAccepts(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	ojs := testKey(t, "openpgpjs/key")
	plaintext := pseudoRandom(200_000, 9)
	message := encryptBytes(t, plaintext, alice, bob)
	keyPackets, body, err := split(message, alice, bob)
	if err != nil {
		t.Fatal(err)
	}
	toAlice := encryptBytes(t, plaintext, alice)
	aliceKP, aliceBody, err := split(toAlice, alice)
	if err != nil {
		t.Fatal(err)
	}
	_, pkesk := contents(t, aliceKP)
	_, seipd := contents(t, body)

	tests := []struct {
		name       string
		message    []byte
		recipients []*PublicKey
		plaintext  []byte
	}{
		{"GoCrypto", message, []*PublicKey{alice, bob}, plaintext},
		{"RecipientsInOtherOrder", message, []*PublicKey{bob, alice}, plaintext},
		{"OpenPGPjs", readTestdata(t, "openpgpjs/alice-openpgpjs.pgp"), []*PublicKey{alice, ojs}, openpgpjsText},
		{"OpenPGPjsStream", readTestdata(t, "openpgpjs/alice-stream.pgp"), []*PublicKey{alice}, openpgpjsText},
		{"DefiniteLength", cat(keyPackets, newFormat(tagSEIPD, seipd)), []*PublicKey{alice, bob}, plaintext},
		{"OldFormatKeyPacket", cat(oldFormat(tagPKESK, pkesk), aliceBody), []*PublicKey{alice}, plaintext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyPackets, body, err := split(tt.message, tt.recipients...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(cat(keyPackets, body), tt.message) {
				t.Fatal("keyPackets + body != message")
			}
			if got := decryptBytes(t, tt.message, testPrivateKey(t, "alice.sec.asc")); !bytes.Equal(got, tt.plaintext) {
				t.Error("decrypted text differs")
			}
		})
	}
}

func TestSplitMessageRejects(t *testing.T) {
	alice, bob, carol := testKey(t, "alice"), testKey(t, "bob"), testKey(t, "carol")
	message := encryptBytes(t, pseudoRandom(3*seipdChunk/2, 1), alice)
	keyPackets, body, err := split(message, alice)
	if err != nil {
		t.Fatal(err)
	}
	_, pkesk := contents(t, keyPackets)
	headerLen, chunkLen := firstChunk(t, body)
	k := len(keyPackets)

	// Messages made by go-crypto's other writers: each writes "my tip".
	writeTip := func(w io.WriteCloser, err error) {
		t.Helper()
		if err == nil {
			_, err = w.Write([]byte("my tip"))
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var literal, compressed, signed, symmetric bytes.Buffer
	writeTip(packet.SerializeLiteral(nopCloser{&literal}, true, "", 0))
	cw, err := packet.SerializeCompressed(nopCloser{&compressed}, packet.CompressionZLIB, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeTip(packet.SerializeLiteral(cw, true, "", 0))
	signer, err := openpgp.NewEntity("Signer", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	writeTip(openpgp.Sign(&signed, signer, nil, nil))
	writeTip(openpgp.SymmetricallyEncrypt(&symmetric, []byte("pass"), nil, nil))

	wildcard := bytes.Clone(pkesk)
	copy(wildcard[1:9], make([]byte, 8)) // v3 PKESK: version, then the key id
	unknownVersion := bytes.Clone(body)
	unknownVersion[headerLen] = 3

	tests := []struct {
		name       string
		message    []byte
		recipients []*PublicKey
		reason     string // in the error message
	}{
		{"Empty", nil, nil, "empty input"},
		{"Plaintext", []byte("Dear investigators, the shipment left on Monday."), nil, "not an OpenPGP message"},
		{"Armored", armorBytes(t, "PGP MESSAGE", message), nil, "not an OpenPGP message"},
		{"LiteralData", literal.Bytes(), nil, "literal data packet: plaintext refused"},
		{"CompressedData", compressed.Bytes(), nil, "compressed data packet: plaintext refused"},
		{"Signed", signed.Bytes(), nil, "signature packet refused"},
		{"PassphraseEncrypted", symmetric.Bytes(), nil, "passphrase key packet refused"},
		{"Marker", cat([]byte{0xca, 3, 'P', 'G', 'P'}, message), nil, "marker or padding packet refused"},
		{"SEDTag9", cat(keyPackets, newFormat(tagSED, pseudoRandom(100, 2))), nil, "tag 9"},
		{"AEADTag20", cat(keyPackets, newFormat(tagAEAD, pseudoRandom(100, 2))), nil, "tag 20"},
		{"UnknownTag", cat(keyPackets, newFormat(60, pseudoRandom(100, 2))), nil, "tag 60"},
		{"ForeignKeyOnly", encryptBytes(t, []byte("x"), carol), nil, "key packet for unknown key id"},
		{"MissingRecipient", message, []*PublicKey{alice, bob}, "missing key packet for " + bob.Fingerprint},
		{"ExtraForeignRecipient", encryptBytes(t, []byte("x"), alice, carol), nil, "key packet for unknown key id"},
		{"DuplicateKeyPacket", cat(keyPackets, message), nil, "two key packets"},
		{"WildcardKeyID", cat(newFormat(tagPKESK, wildcard), body), nil, "wildcard key id"},
		{"HugeKeyPacket", cat(newFormat(tagPKESK, make([]byte, 5000)), body), nil, "key packet larger than"},
		{"PartialKeyPacket", cat([]byte{0xc1, 0xe9}, make([]byte, 512), body), nil, "key packet with partial length"},
		{"MalformedKeyPacket", cat(newFormat(tagPKESK, []byte{3, 1, 2}), body), nil, "malformed or unsupported key packet"},
		{"IndeterminateLength", cat([]byte{0x80 | tagPKESK<<2 | 3}, pkesk, body), nil, "indeterminate"},
		{"NoEncryptedPacket", keyPackets, nil, "truncated: no encrypted data packet"},
		{"EmptyEncryptedPacket", cat(keyPackets, []byte{0xc0 | tagSEIPD, 0}), nil, "empty encrypted data packet"},
		{"UnknownSEIPDVersion", cat(keyPackets, unknownVersion), nil, "unknown SEIPD version 3"},
		{"TruncatedInKeyPacket", message[:10], nil, "truncated"},
		{"TruncatedAfterKeyPacketTag", message[:k+1], nil, "truncated"},
		{"TruncatedInBodyHeader", cat(keyPackets, []byte{0xc0 | tagSEIPD, 0xff, 0}), nil, "truncated"},
		{"TruncatedInFirstChunk", message[:k+headerLen+100], nil, "truncated"},
		{"TruncatedAtChunkEnd", message[:k+headerLen+int(chunkLen)], nil, "truncated"},
		{"TruncatedInLastChunk", message[:len(message)-1], nil, "truncated"},
		{"TrailingGarbage", cat(message, []byte("x")), nil, "trailing data after encrypted packet"},
		{"TwoEncryptedPackets", cat(message, body), nil, "trailing data after encrypted packet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recipients := tt.recipients
			if recipients == nil {
				recipients = []*PublicKey{alice}
			}
			keyPackets, err := SplitMessage(bytes.NewReader(tt.message), io.Discard, recipients...)
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want ErrInvalidMessage", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want it to say %q", err, tt.reason)
			}
			if keyPackets != nil {
				t.Error("keyPackets returned with an error")
			}
		})
	}

	t.Run("RandomBytes", func(t *testing.T) {
		for seed := range byte(50) {
			b := pseudoRandom(1+int(seed)*37, seed)
			if _, err := SplitMessage(bytes.NewReader(b), io.Discard, alice); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("seed %d: err = %v, want ErrInvalidMessage", seed, err)
			}
		}
	})
	t.Run("EveryTruncation", func(t *testing.T) {
		short := encryptBytes(t, pseudoRandom(2000, 3), alice, bob)
		for i := range len(short) {
			if _, err := SplitMessage(bytes.NewReader(short[:i]), io.Discard, alice, bob); !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("cut at %d: err = %v, want ErrInvalidMessage", i, err)
			}
		}
	})
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// TestSplitMessageErrors checks that failures to read or write are not
// reported as invalid messages.
func TestSplitMessageErrors(t *testing.T) {
	alice := testKey(t, "alice")
	message := encryptBytes(t, pseudoRandom(100_000, 1), alice)
	broken := errors.New("broken")

	_, err := SplitMessage(io.MultiReader(bytes.NewReader(message[:50_000]), errReader{broken}), io.Discard, alice)
	if !errors.Is(err, broken) || errors.Is(err, ErrInvalidMessage) {
		t.Errorf("failing reader: err = %v, want the read error only", err)
	}
	_, err = SplitMessage(bytes.NewReader(message), errWriter{broken}, alice)
	if !errors.Is(err, broken) || errors.Is(err, ErrInvalidMessage) {
		t.Errorf("failing writer: err = %v, want the write error only", err)
	}
	if _, err := SplitMessage(bytes.NewReader(message), io.Discard); err == nil || errors.Is(err, ErrInvalidMessage) {
		t.Errorf("no recipients: err = %v, want an error that is not ErrInvalidMessage", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func FuzzSplitMessage(f *testing.F) {
	alice := testKey(f, "alice")
	message := encryptBytes(f, pseudoRandom(3000, 1), alice)
	keyPackets, body, err := split(message, alice)
	if err != nil {
		f.Fatal(err)
	}
	_, seipd := contents(f, body)
	f.Add(message)
	f.Add(encryptBytes(f, nil, alice))
	f.Add(cat(keyPackets, newFormat(tagSEIPD, seipd)))
	f.Add(readTestdata(f, "openpgpjs/alice-stream.pgp")[:3000])
	f.Add(encryptBytes(f, []byte("x"), testKey(f, "bob")))
	f.Add(cat(keyPackets, newFormat(tagLiteral, []byte("tip"))))
	f.Add([]byte("plain text"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var b bytes.Buffer
		keyPackets, err := SplitMessage(bytes.NewReader(data), &b, alice)
		if err != nil {
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("err = %v, want ErrInvalidMessage", err)
			}
			return
		}
		if !bytes.Equal(cat(keyPackets, b.Bytes()), data) {
			t.Fatal("keyPackets + body != input")
		}
		var b2 bytes.Buffer
		keyPackets2, err := SplitMessage(JoinMessage(keyPackets, bytes.NewReader(b.Bytes())), &b2, alice)
		if err != nil {
			t.Fatalf("joined message refused: %v", err)
		}
		if !bytes.Equal(keyPackets2, keyPackets) || !bytes.Equal(b2.Bytes(), b.Bytes()) {
			t.Fatal("joined message splits differently")
		}
	})
}

// TestSplitMessageMemory streams a 256 MiB message, made by Encrypt as it
// is read, through SplitMessage and checks that the heap stays small.
func TestSplitMessageMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 256 MiB")
	}
	const size = 256 << 20
	alice := testKey(t, "alice")
	pr, pw := io.Pipe()
	go func() {
		w, err := Encrypt(pw, alice)
		if err == nil {
			_, err = io.CopyN(w, rand.NewChaCha8([32]byte{1}), size)
		}
		if err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err)
	}()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	body := &heapWatcher{}
	if _, err := SplitMessage(pr, body, alice); err != nil {
		t.Fatal(err)
	}
	if body.n < size {
		t.Fatalf("body has %d bytes, want more than %d", body.n, size)
	}
	growth := int64(body.maxHeap) - int64(before.HeapAlloc)
	t.Logf("heap: %d MiB before, at most %d MiB while streaming %d MiB", before.HeapAlloc>>20, body.maxHeap>>20, body.n>>20)
	if growth > 32<<20 {
		t.Errorf("heap grew by %d MiB, want under 32 MiB", growth>>20)
	}
}

// heapWatcher counts bytes written and samples the heap every 8 MiB.
type heapWatcher struct {
	n, next int64
	maxHeap uint64
}

func (w *heapWatcher) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if w.n >= w.next {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.maxHeap = max(w.maxHeap, m.HeapAlloc)
		w.next += 8 << 20
	}
	return len(p), nil
}
