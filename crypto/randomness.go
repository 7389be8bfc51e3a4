package crypto

// The statistical check on encrypted bodies.
//
// OpenPGP ciphertext is indistinguishable from random bytes, while text,
// documents, images and most other plaintext are far from it. A careless or
// hostile client could wrap plaintext in a well-formed packet (the desk's
// real key packets, then an "encrypted" data packet whose body is the
// plaintext) and so store it as if it were encrypted. Every body that
// SplitMessage passes and every upload chunk is therefore tested window by
// window with Pearson's chi-squared statistic on byte frequencies.
//
// For uniformly random bytes the statistic over 256 byte values has mean 255
// and, measured over 10^5 to 4·10^5 random windows of each size, a 99.99th
// percentile of about 350 for windows of 4 KiB and about 370 for 64 bytes
// (maximum seen: 359 and 416). English or Chinese text scores in the
// thousands to tens of thousands, a window of zeros 1,044,480. The refusal
// threshold sits far above random (see chiSquaredLimit), so ciphertext is
// not refused in practice while plaintext is refused in its first window.
//
// What it cannot prove: bytes that look random are not thereby encrypted to
// the desk. Plaintext that was compressed or encrypted some other way
// (a zip file, a password-protected archive) passes; only decryption by an
// investigator can show that a message is intact and readable.
const (
	// checkWindow is how many bytes each test covers.
	checkWindow = 4096
	// minCheckWindow is the smallest tail (the last bytes of a body, after
	// the whole windows) that is still tested.
	minCheckWindow = 64
	// chiSquaredLimit is the statistic above which a window is refused:
	// about 15 standard deviations above the mean for random bytes.
	chiSquaredLimit = 600
)

// CiphertextCheck tests bytes written to it for looking like ciphertext:
// every full window of 4 KiB as it completes, and the tail at Close. It is
// an io.WriteCloser that keeps 1 KiB of counters whatever the amount
// written. The zero value is ready to use.
type CiphertextCheck struct {
	counts  [256]uint32
	n       int   // bytes in the current window
	offset  int64 // bytes before the current window
	refused error
}

// Write counts p. It returns an error wrapping ErrInvalidMessage at the
// first window that does not look like ciphertext, and again on every later
// call.
func (c *CiphertextCheck) Write(p []byte) (int, error) {
	if c.refused != nil {
		return 0, c.refused
	}
	written := 0
	for len(p) > 0 {
		k := min(len(p), checkWindow-c.n)
		for _, b := range p[:k] {
			c.counts[b]++
		}
		c.n += k
		written += k
		p = p[k:]
		if c.n == checkWindow {
			if err := c.test(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// Close tests the bytes after the last full window, when there are at
// least 64 of them, and returns the first refusal.
func (c *CiphertextCheck) Close() error {
	if c.refused == nil && c.n >= minCheckWindow {
		c.test()
	}
	return c.refused
}

// test computes the statistic of the current window and starts the next.
func (c *CiphertextCheck) test() error {
	expected := float64(c.n) / 256
	var sum float64
	for i, o := range c.counts {
		d := float64(o) - expected
		sum += d * d
		c.counts[i] = 0
	}
	if chi := sum / expected; chi > chiSquaredLimit {
		c.refused = invalid("encrypted data packet does not look encrypted (bytes %d to %d)", c.offset, c.offset+int64(c.n))
	}
	c.offset += int64(c.n)
	c.n = 0
	return c.refused
}
