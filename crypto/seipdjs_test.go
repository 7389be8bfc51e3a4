package crypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/internal/testenv"
)

// encryptWithSEIPDJS is run by node: it encrypts each plaintext file named
// on its command line to the armored public keys in keyFile (a JSON array)
// as a source's browser does (encryptFile, in seipd.js), streamed and held
// in memory whole (WholeFile), and writes the two messages beside it, with
// .pgp and .whole.pgp appended. It checks first that keys which
// all ask for SEIPD v2 get OpenPGP.js's own message in that format, which
// OpenPGP.js reads, from a file streamed and from one held whole.
const encryptWithSEIPDJS = `
import { readFileSync, writeFileSync } from 'node:fs';
const [lib, hash, seipd, keyFile, ...files] = process.argv.slice(1);
const openpgp = await import(lib);
const { Sha1 } = await import(hash);
const { encryptFile, WholeFile } = await import(seipd);

// The browser build of OpenPGP.js asks navigator about AES-GCM; Node 20 has none.
globalThis.navigator ??= { userAgent: 'node' };
const aead = await openpgp.generateKey({ userIDs: [{ name: 'AEAD' }], config: { aeadProtect: true }, format: 'object' });
const v2 = new Uint8Array(await new Response(await encryptFile({ openpgp, Sha1 }, [aead.publicKey], new Blob(['to an RFC 9580 key']))).arrayBuffer());
const message = await openpgp.readMessage({ binaryMessage: v2 });
const packet = message.packets.findPacket(openpgp.enums.packet.symEncryptedIntegrityProtectedData);
if (packet.version !== 2) throw new Error('SEIPD version ' + packet.version + ' to a key that asks for 2');
const { data } = await openpgp.decrypt({ message, decryptionKeys: aead.privateKey });
if (data !== 'to an RFC 9580 key') throw new Error('SEIPD v2 decrypted to ' + data);
// Held whole, and larger than a WholeFile reads ahead of an encryption of its own.
const big = new Uint8Array((32 << 20) + 4099);
for (let i = 0; i < big.length; i += 4096) big[i] = i >> 12;
const v2Whole = new Uint8Array(await new Response(await encryptFile({ openpgp, Sha1 }, [aead.publicKey], new WholeFile(new Blob([big])))).arrayBuffer());
const { data: bigData } = await openpgp.decrypt({ message: await openpgp.readMessage({ binaryMessage: v2Whole }), decryptionKeys: aead.privateKey, format: 'binary' });
if (Buffer.compare(Buffer.from(bigData), Buffer.from(big)) !== 0) throw new Error('SEIPD v2 of a file held whole decrypted to ' + bigData.length + ' bytes that differ');

const encryptionKeys = await Promise.all(JSON.parse(readFileSync(keyFile, 'utf8')).map((armoredKey) => openpgp.readKey({ armoredKey })));
for (const file of files) {
  const plain = new Blob([readFileSync(file)]);
  for (const [source, suffix] of [[plain, '.pgp'], [new WholeFile(plain), '.whole.pgp']]) {
    const message = await encryptFile({ openpgp, Sha1 }, encryptionKeys, source);
    writeFileSync(file + suffix, new Uint8Array(await new Response(message).arrayBuffer()));
  }
}
`

// TestGnuPGDecryptsSEIPDJS checks that the browser's encryption
// (static/js/seipd.js) writes the server's message, streamed and from a
// file held whole: GnuPG, go-crypto and OpenPGP.js read it byte for byte
// at every length around the edges of the one-, two- and five-octet
// lengths, the chunks and the writer's batches, SplitMessage (the server's
// check of a browser upload) accepts it, and, streamed, its encrypted
// packet has the length of Encrypt's for the same plaintext: the same
// packets, cut into the same chunks. Keys that ask for
// SEIPD v2 get OpenPGP.js's own message (checked in the node script).
func TestGnuPGDecryptsSEIPDJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if testenv.Required() {
			t.Fatal("node is not installed")
		}
		t.Skip("node is not installed")
	}
	// To a key GnuPG made, which gpg holds, and to alice's, made by
	// GenerateKey, whose private key OpenPGP.js reads.
	g := newGnuPG(t)
	g.run(readTestdata(t, "gnupg/ed25519.sec.asc"), "--import")
	armored := []string{string(readTestdata(t, "gnupg/ed25519.pub.asc")), string(readTestdata(t, "alice.pub.asc"))}
	pub := []*PublicKey{testKey(t, "gnupg/ed25519"), testKey(t, "alice")}
	gnupgKey, err := ReadPrivateKey(readTestdata(t, "gnupg/ed25519.sec.asc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	priv := []*PrivateKey{gnupgKey, testPrivateKey(t, "alice.sec.asc")}
	lib, err := filepath.Abs("../static/vendor/openpgp/openpgp.min.mjs")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := filepath.Abs("../static/js/hash.js")
	if err != nil {
		t.Fatal(err)
	}
	seipd, err := filepath.Abs("../static/js/seipd.js")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys.json")
	keys, err := json.Marshal(armored)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keys, 0o600); err != nil {
		t.Fatal(err)
	}
	const batch = 1 << 20 // seipd.js's BATCH
	sizes := []int{0, 1, 15, 16, 17, 185, 186, 8377, 8378, seipdChunk - 7, seipdChunk - 6, seipdChunk - 5, seipdChunk,
		2*seipdChunk - 6, batch - 25, batch - 24, batch - 6, batch, 3*batch + 12345}
	args := []string{"--input-type=module", "-e", encryptWithSEIPDJS, "file://" + lib, "file://" + hash, "file://" + seipd, keyFile}
	plaintexts := map[int][]byte{}
	for _, size := range sizes {
		plaintexts[size] = pseudoRandom(size, byte(size))
		file := filepath.Join(dir, fmt.Sprint(size))
		if err := os.WriteFile(file, plaintexts[size], 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, file)
	}
	if out, err := exec.Command(node, args...).CombinedOutput(); err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}

	jsArgs := []string{"--input-type=module", "-e", decryptWithOpenPGPJS, "file://" + lib, filepath.Join("testdata", "alice.sec.asc")}
	var jsWant []string
	for _, size := range sizes {
		for _, suffix := range []string{".pgp", ".whole.pgp"} {
			plaintext := plaintexts[size]
			name := fmt.Sprint(size) + suffix
			file := filepath.Join(dir, name)
			message, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			jsArgs = append(jsArgs, file)
			sum := sha256.Sum256(plaintext)
			jsWant = append(jsWant, hex.EncodeToString(sum[:]))
			if got := g.run(message, "--decrypt"); !bytes.Equal(got, plaintext) {
				t.Errorf("gpg --decrypt of %s: got %d bytes that differ", name, len(got))
			}
			for _, key := range priv {
				if got := decryptBytes(t, message, key); !bytes.Equal(got, plaintext) {
					t.Errorf("Decrypt of %s with %s: got %d bytes that differ", name, key.Fingerprint, len(got))
				}
			}
			_, body, err := split(message, pub...)
			if err != nil {
				t.Fatalf("SplitMessage of %s: %v", name, err)
			}
			if _, want, _ := split(encryptBytes(t, plaintext, pub...), pub...); suffix == ".pgp" && len(body) != len(want) {
				t.Errorf("encrypted packet of %s has %d bytes, Encrypt's has %d", name, len(body), len(want))
			}
			// A bit flipped in the ciphertext is caught: the MDC covers it.
			tampered := bytes.Clone(message)
			tampered[len(tampered)-30] ^= 1
			if r, err := Decrypt(bytes.NewReader(tampered), priv[0]); err == nil {
				if _, err := io.Copy(io.Discard, r); err == nil {
					t.Errorf("Decrypt of %s with a flipped bit succeeded", name)
				}
			}
		}
	}
	out, err := exec.Command(node, jsArgs...).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != strings.Join(jsWant, " ") {
		t.Errorf("OpenPGP.js decrypted to SHA-256 %v, want %v", got, jsWant)
	}
}
