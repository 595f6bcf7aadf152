#include "textflag.h"

// func dotsInt8AVX2(q *int16, codes *int8, stride, n int, out *int32)
// out[r] = Σ q[i]·codes[r·stride+i] for r < n; stride is a multiple of 16.
TEXT ·dotsInt8AVX2(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ codes+8(FP), DI
	MOVQ stride+16(FP), CX
	MOVQ n+24(FP), DX
	MOVQ out+32(FP), R8
	TESTQ DX, DX
	JE   done

row:
	VPXOR Y0, Y0, Y0
	VPXOR Y3, Y3, Y3
	XORQ  AX, AX // byte offset into the row
	MOVQ  CX, BX
	ANDQ  $-32, BX // whole pairs of 16-byte steps

pair:
	CMPQ      AX, BX
	JGE       single
	VPMOVSXBW (DI)(AX*1), Y1
	VPMOVSXBW 16(DI)(AX*1), Y2
	VPMADDWD  (SI)(AX*2), Y1, Y1
	VPMADDWD  32(SI)(AX*2), Y2, Y2
	VPADDD    Y1, Y0, Y0
	VPADDD    Y2, Y3, Y3
	ADDQ      $32, AX
	JMP       pair

single:
	CMPQ      AX, CX
	JGE       sum
	VPMOVSXBW (DI)(AX*1), Y1
	VPMADDWD  (SI)(AX*2), Y1, Y1
	VPADDD    Y1, Y0, Y0

sum:
	VPADDD       Y3, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPADDD       X1, X0, X0
	MOVL         X0, R9
	MOVL         R9, (R8)
	ADDQ         $4, R8
	ADDQ         CX, DI
	DECQ         DX
	JNE          row

done:
	VZEROUPPER
	RET
