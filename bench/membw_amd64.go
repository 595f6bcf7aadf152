package main

import "golang.org/x/sys/cpu"

//go:noescape
func readAVX2(p *byte, n int) uint64

//go:noescape
func readAVX512(p *byte, n int) uint64

// readBytes sums b (len(b) a multiple of 256) with the widest loads the
// CPU has.
func readBytes(b []byte) uint64 {
	switch {
	case cpu.X86.HasAVX512F:
		return readAVX512(&b[0], len(b))
	case cpu.X86.HasAVX2:
		return readAVX2(&b[0], len(b))
	}
	return readPortable(b)
}
