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

// func readAVX512(p *byte, n int) uint64
// Reads n bytes (a multiple of 256) with 512-bit loads, the widest the
// scan's kernel uses, and returns a sum of them.
TEXT ·readAVX512(SB), NOSPLIT, $0-24
	MOVQ   p+0(FP), SI
	MOVQ   n+8(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	XORQ   AX, AX

loop512:
	CMPQ   AX, CX
	JGE    done512
	VPADDQ (SI)(AX*1), Z0, Z0
	VPADDQ 64(SI)(AX*1), Z1, Z1
	VPADDQ 128(SI)(AX*1), Z2, Z2
	VPADDQ 192(SI)(AX*1), Z3, Z3
	ADDQ   $256, AX
	JMP    loop512

done512:
	VPADDQ        Z1, Z0, Z0
	VPADDQ        Z3, Z2, Z2
	VPADDQ        Z2, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDQ        Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPADDQ        X1, X0, X0
	VPSHUFD       $0x4E, X0, X1
	VPADDQ        X1, X0, X0
	MOVQ          X0, AX
	MOVQ          AX, ret+16(FP)
	VZEROUPPER
	RET
