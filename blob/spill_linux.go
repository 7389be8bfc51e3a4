package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// openSpillFile opens a new file in dir that has no name (O_TMPFILE): it
// appears in no listing, changes no time of dir, and the system frees it
// when it is closed or the process dies.
func openSpillFile(dir string) (*os.File, error) {
	return os.OpenFile(dir, os.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
}
