package blob

import "syscall"

// openNoAccessTime opens a file without updating its access time, which
// would tell when a blob was last read (the owner of a file may ask so).
const openNoAccessTime = syscall.O_NOATIME
