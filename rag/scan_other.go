//go:build !amd64

package rag

// int8Kernels are the kernels this CPU runs: the portable one.
func int8Kernels() []int8Kernel { return []int8Kernel{{"go", dotsInt8Go}} }
