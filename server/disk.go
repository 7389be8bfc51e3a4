package server

import (
	"context"
	"fmt"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
)

// diskSpace is the free space of the embedded default's file systems.
type diskSpace struct {
	Free int64 // the least free bytes over the watched folders
	Low  bool  // Free is below TIPLINE_DISK_MIN_FREE
}

// warning is what staff read while the disk is low.
func (d diskSpace) warning() string {
	return fmt.Sprintf("disk nearly full: %d MiB free", d.Free>>20)
}

// disk reads the free space under the directory blob store's folder and
// the SQLite database's file: the embedded default keeps every tip there,
// and a full disk fails every tip and mailbox login. With S3 and
// PostgreSQL nothing is watched here (their servers watch their own
// disks). It reports false when nothing is watched, TIPLINE_DISK_MIN_FREE
// is 0 or the space cannot be read (which it logs).
func (s *Server) disk(ctx context.Context) (diskSpace, bool) {
	floor := s.deps.Config.DiskMinFree
	if floor <= 0 {
		return diskSpace{}, false
	}
	var paths []string
	if dir, ok := s.deps.Blobs.(*blob.Dir); ok {
		paths = append(paths, dir.Root())
	}
	if s.deps.DB.Dialect == database.SQLite {
		var files []struct{ Name, File string }
		if err := s.deps.DB.WithContext(ctx).Raw("PRAGMA database_list").Scan(&files).Error; err != nil {
			s.log.Warn("cannot find the SQLite database's file", "err", err)
		}
		for _, f := range files {
			if f.Name == "main" && f.File != "" {
				paths = append(paths, f.File)
			}
		}
	}
	var d diskSpace
	watched := false
	for _, p := range paths {
		free, err := freeBytes(p)
		if err != nil {
			s.log.Warn("cannot read the free disk space", "err", err)
			continue
		}
		if !watched || free < d.Free {
			d.Free = free
		}
		watched = true
	}
	d.Low = watched && d.Free < floor
	return d, watched
}
