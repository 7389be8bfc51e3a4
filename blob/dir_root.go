package blob

// Root returns the folder that holds the directory store's blobs, for
// watching the free space of its file system (/readyz).
func (d *Dir) Root() string { return d.root }
