//go:build !amd64

package main

func readBytes(b []byte) uint64 { return readPortable(b) }
