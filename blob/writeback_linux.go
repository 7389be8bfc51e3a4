package blob

import (
	"os"
	"syscall"
)

// startWriteback asks the system to start writing n bytes of f from off to
// disk without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE); the sync that follows still makes them durable.
// It is only a hint, so its error is ignored.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2
	_, _, _ = syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, f.Fd(), uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
}
