package crypto_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/tipline/tipline/crypto"
)

// A service seals a secret into a database row, bound to the row by the
// additional data, and opens it again later.
func ExamplePepper_Sealer() {
	pepper := crypto.NewPepper() // in production: TIPLINE_PEPPER, checked once at start
	sealer, err := pepper.Sealer("tipline claimant name v1")
	if err != nil {
		log.Fatal(err)
	}

	claimID := []byte("8b3c0c3e-claim")
	sealed := sealer.Seal([]byte("Jane Q. Public"), claimID)

	name, err := sealer.Open(sealed, claimID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(name))

	// Copied to another row, the value does not open.
	_, err = sealer.Open(sealed, []byte("another-claim"))
	fmt.Println(errors.Is(err, crypto.ErrOpen))
	// Output:
	// Jane Q. Public
	// true
}
