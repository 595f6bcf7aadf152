package main

import (
	"encoding/binary"
	"runtime"
	"sync"
	"time"
)

// memoryBandwidth is the machine's read bandwidth in bytes per second: a
// 1 GiB buffer (far beyond the caches) read with the widest loads the CPU
// has by one goroutine per core, the best of five passes — the ceiling for a scan
// that streams its vectors from memory.
func memoryBandwidth() float64 {
	const size = 1 << 30
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i) // touch every page, so the reads are of memory
	}
	workers := runtime.GOMAXPROCS(0)
	per := size / workers &^ 255
	best := 0.0
	var sink uint64
	var mu sync.Mutex
	for range 5 {
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				s := readBytes(buf[w*per : (w+1)*per])
				mu.Lock()
				sink += s
				mu.Unlock()
			}(w)
		}
		wg.Wait()
		best = max(best, float64(per*workers)/time.Since(start).Seconds())
	}
	_ = sink
	return best
}

// readPortable sums b eight bytes at a time.
func readPortable(b []byte) uint64 {
	var s uint64
	for i := 0; i+8 <= len(b); i += 8 {
		s += binary.LittleEndian.Uint64(b[i:])
	}
	return s
}
