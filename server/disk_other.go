//go:build !linux

package server

import "errors"

// freeBytes cannot tell free space on this platform: /readyz and the staff
// start page then say nothing about the disk.
func freeBytes(string) (int64, error) {
	return 0, errors.ErrUnsupported
}
