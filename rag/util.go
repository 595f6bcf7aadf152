package rag

import (
	"math"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
