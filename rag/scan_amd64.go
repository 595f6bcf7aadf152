package rag

import "golang.org/x/sys/cpu"

//go:noescape
func dotsInt8AVX2(q *int16, codes *int8, stride, n int, out *int32)

//go:noescape
func dotsInt8VNNI(q *int8, codes *int8, stride, n int, out *int32, tail uint64, bias int32)

// int8Kernels are the kernels this CPU runs, fastest first; the portable
// one is last.
func int8Kernels() []int8Kernel {
	var ks []int8Kernel
	// AVX-512 with its byte dot products (VPDPBUSD) and byte-masked loads:
	// 64 bytes per instruction.
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI {
		ks = append(ks, int8Kernel{"avx512-vnni", func(q *queryCode, codes []int8, stride int, out []int32) {
			_ = q.codes[(stride+63)&^63-1]
			tail := uint64(1)<<(stride%64) - 1
			dotsInt8VNNI(&q.codes[0], &codes[0], stride, len(out), &out[0], tail, 128*q.sum)
		}})
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, int8Kernel{"avx2", func(q *queryCode, codes []int8, stride int, out []int32) {
			_ = q.wide[stride-1]
			dotsInt8AVX2(&q.wide[0], &codes[0], stride, len(out), &out[0])
		}})
	}
	return append(ks, int8Kernel{"go", dotsInt8Go})
}
