package crypto

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/internal/testenv"
)

// decryptWithOpenPGPJS is run by node: it decrypts each message file named
// on its command line with OpenPGP.js (the copy the source pages load) and
// alice's private key, and prints the SHA-256 of each plaintext.
const decryptWithOpenPGPJS = `
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const [lib, keyFile, ...messages] = process.argv.slice(1);
const openpgp = await import(lib);
const key = await openpgp.decryptKey({
  privateKey: await openpgp.readPrivateKey({ armoredKey: readFileSync(keyFile, 'utf8') }),
  passphrase: 'test',
});
for (const file of messages) {
  const message = await openpgp.readMessage({ binaryMessage: readFileSync(file) });
  const { data } = await openpgp.decrypt({ message, decryptionKeys: key, format: 'binary', expectSigned: false });
  console.log(createHash('sha256').update(data).digest('hex'));
}
`

// TestOpenPGPJSDecryptsEncrypt checks that OpenPGP.js, as the source pages
// load it, reads what Encrypt writes (SEIPD v1 with chunked packets) byte
// for byte, whatever the chunking.
func TestOpenPGPJSDecryptsEncrypt(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if testenv.Required() {
			t.Fatal("node is not installed")
		}
		t.Skip("node is not installed")
	}
	lib, err := filepath.Abs("../static/vendor/openpgp/openpgp.min.mjs")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"--input-type=module", "-e", decryptWithOpenPGPJS, "file://" + lib, filepath.Join("testdata", "alice.sec.asc")}
	var want []string
	for _, size := range []int{0, 1, 8378, seipdChunk - 6, seipdChunk, 3*seipdChunk + 17} {
		plaintext := pseudoRandom(size, byte(size))
		file := filepath.Join(dir, fmt.Sprintf("%d.pgp", size))
		if err := os.WriteFile(file, encryptBytes(t, plaintext, testKey(t, "alice")), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, file)
		sum := sha256.Sum256(plaintext)
		want = append(want, hex.EncodeToString(sum[:]))
	}
	out, err := exec.Command(node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("OpenPGP.js decrypted to SHA-256 %v, want %v", got, want)
	}
}
