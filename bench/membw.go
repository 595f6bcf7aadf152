package main

import (
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// memoryBandwidth is the machine's read bandwidth in bytes per second: a
// 1 GiB buffer (far beyond the caches) read with the widest loads the CPU
// has by one goroutine per core, the best of five passes — the ceiling for a
// scan that streams its vectors from memory.
func memoryBandwidth() float64 {
	p := newProbe(1 << 30)
	best := time.Duration(1 << 62)
	for range 5 {
		best = min(best, p.pass())
	}
	return float64(p.size) / best.Seconds()
}

// probe reads a buffer of its own, touched once so that its reads are of
// memory, split over one goroutine per core as the scan splits its rows.
type probe struct {
	buf  []byte
	size int // bytes a pass reads
	per  int // bytes each goroutine reads
	sink atomic.Uint64
}

func newProbe(size int) *probe {
	workers := runtime.GOMAXPROCS(0)
	per := (size/workers + 255) &^ 255
	p := &probe{buf: make([]byte, per*workers), size: per * workers, per: per}
	for i := range p.buf {
		p.buf[i] = byte(i)
	}
	return p
}

// pass reads the whole buffer once and returns how long it took.
func (p *probe) pass() time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w*p.per < p.size; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			p.sink.Add(readBytes(p.buf[w*p.per : (w+1)*p.per]))
		}(w)
	}
	wg.Wait()
	return time.Since(start)
}

// readPortable sums b eight bytes at a time.
func readPortable(b []byte) uint64 {
	var s uint64
	for i := 0; i+8 <= len(b); i += 8 {
		s += binary.LittleEndian.Uint64(b[i:])
	}
	return s
}
