package intake

import (
	"context"
	"testing"
	"time"
)

// TestArrivalsChunkBeforeEnding: chunk 1 starts while the handler of
// chunk 0, stored, has not yet ended its record. Chunk 1's record takes
// its place and outlives chunk 0's end, so that chunk 2 waits for chunk 1
// instead of being refused after the grace.
func TestArrivalsChunkBeforeEnding(t *testing.T) {
	var a arrivals
	end0 := a.begin("s", 0)
	end1 := a.begin("s", 1)
	end0()
	waited := make(chan bool, 1)
	go func() { waited <- a.waitFor(context.Background(), "s", 1) }()
	select {
	case <-waited:
		t.Fatal("chunk 2 did not wait for chunk 1")
	case <-time.After(100 * time.Millisecond):
	}
	end1()
	if !<-waited {
		t.Error("chunk 2 waited for chunk 1 and was told it did not arrive")
	}
	// The same chunk sent again while it arrives leaves the record to the
	// first.
	end := a.begin("s", 3)
	a.begin("s", 3)()
	go func() { waited <- a.waitFor(context.Background(), "s", 3) }()
	select {
	case <-waited:
		t.Fatal("the record of chunk 3 ended with its copy")
	case <-time.After(100 * time.Millisecond):
	}
	end()
	<-waited
}
