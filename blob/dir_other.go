//go:build !linux

package blob

// openNoAccessTime is 0 where the system has no O_NOATIME: there, the
// file system's own access-time policy applies (mount it noatime).
const openNoAccessTime = 0
