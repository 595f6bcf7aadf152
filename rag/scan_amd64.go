package rag

import "golang.org/x/sys/cpu"

//go:noescape
func dotsInt8AVX2(q *int16, codes *int8, stride, n int, out *int32)

// dotsInt8 writes the dot product of q with each of the len(out) rows of
// codes (stride bytes apart) into out.
func dotsInt8(q []int16, codes []int8, stride int, out []int32) {
	if len(out) == 0 {
		return
	}
	if !cpu.X86.HasAVX2 {
		dotsInt8Go(q, codes, stride, out)
		return
	}
	_ = codes[len(out)*stride-1] // the assembly reads this far
	_ = q[stride-1]
	dotsInt8AVX2(&q[0], &codes[0], stride, len(out), &out[0])
}
