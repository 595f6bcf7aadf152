#include "textflag.h"

// func readAVX2(p *byte, n int) uint64
// Reads n bytes (a multiple of 128) with 256-bit loads and returns a sum
// of them, so the loads cannot be skipped.
TEXT ·readAVX2(SB), NOSPLIT, $0-24
	MOVQ  p+0(FP), SI
	MOVQ  n+8(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	XORQ  AX, AX

loop:
	CMPQ   AX, CX
	JGE    done
	VPADDQ (SI)(AX*1), Y0, Y0
	VPADDQ 32(SI)(AX*1), Y1, Y1
	VPADDQ 64(SI)(AX*1), Y2, Y2
	VPADDQ 96(SI)(AX*1), Y3, Y3
	ADDQ   $128, AX
	JMP    loop

done:
	VPADDQ       Y1, Y0, Y0
	VPADDQ       Y3, Y2, Y2
	VPADDQ       Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDQ       X1, X0, X0
	MOVQ         X0, AX
	MOVQ         AX, ret+16(FP)
	VZEROUPPER
	RET
