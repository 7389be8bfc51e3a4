//go:build !linux

package blob

import (
	"errors"
	"os"
)

// openSpillFile fails where the system cannot open a file without a name
// (O_TMPFILE): a named file would show when an upload was under way. S3
// parts stay in memory there.
func openSpillFile(dir string) (*os.File, error) {
	return nil, errors.ErrUnsupported
}
