package crypto_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/tipline/tipline/crypto"
)

func ExampleEncrypt() {
	armored, err := os.ReadFile("testdata/alice.pub.asc")
	if err != nil {
		log.Fatal(err)
	}
	desk, err := crypto.ParsePublicKey(armored, time.Now())
	if err != nil {
		log.Fatal(err)
	}

	// A source's browser (here: Encrypt) encrypts a tip to the desk's key.
	var upload bytes.Buffer
	w, err := crypto.Encrypt(&upload, desk)
	if err != nil {
		log.Fatal(err)
	}
	io.WriteString(w, "The accelerators left Hong Kong relabelled as network cards.\n")
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// The server checks the upload and keeps the key packets apart from
	// the encrypted body.
	var body bytes.Buffer
	keyPackets, err := crypto.SplitMessage(&upload, &body, desk)
	if err != nil {
		log.Fatal(err)
	}

	// An investigator decrypts the joined message with the desk's private
	// key, and trusts the text once reading ended without error.
	private, err := os.ReadFile("testdata/alice.sec.asc")
	if err != nil {
		log.Fatal(err)
	}
	key, err := crypto.ReadPrivateKey(private, []byte("test"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := crypto.Decrypt(crypto.JoinMessage(keyPackets, &body), key)
	if err != nil {
		log.Fatal(err)
	}
	tip, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(tip))
	// Output: The accelerators left Hong Kong relabelled as network cards.
}

// The no-JavaScript path: the server encrypts a form field as it streams in
// and stores the key packets apart from the body, as SplitMessage would.
func ExampleEncryptSplit() {
	armored, err := os.ReadFile("testdata/alice.pub.asc")
	if err != nil {
		log.Fatal(err)
	}
	desk, err := crypto.ParsePublicKey(armored, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	var body bytes.Buffer // the blob store
	w, keyPackets, err := crypto.EncryptSplit(&body, desk)
	if err != nil {
		log.Fatal(err)
	}
	io.WriteString(w, "narrative typed without JavaScript")
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(keyPackets) > 0, body.Len() > 0)
	// Output: true true
}
